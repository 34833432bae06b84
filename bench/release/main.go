// Command release measures the release routes of numberpool over HTTP,
// beside a minimal net/http handler and beside single-statement
// transactions run directly on the same database, all in the same run. The
// service's overhead shows as a ratio of requests per second to the minimal
// handler, and its database cost as a fraction of the transactions per
// second that the database itself completes here.
//
// A run measures SQLite, unless -sqlite=false, and with -postgres also
// PostgreSQL with each replica count of -replicas: several numberpool
// servers on one database, with the requests spread over them in turn. Each
// setup gets a fresh
// database: a SQLite file in a temporary directory, or a database with a
// random name on the PostgreSQL server, dropped at the end. The database
// holds one account, one API key and enough active numbers. The servers and
// a minimal handler each listen on their own 127.0.0.1 port, and the
// PostgreSQL server must be on a loopback address too. Every phase drives
// the same client settings: keep-alive connections, a fixed number of
// concurrent workers, and a bound on both the duration and the request
// count. No request leaves this machine.
//
// By default the servers are the real binary: the command builds
// ./cmd/numberpool and runs "numberpool serve" as child processes, so the
// figures include its own logging, metrics and HTTP settings. The minimal
// handler then runs in a child process too (this command started again), so
// the two servers share the machine with the load in the same way. With
// -server=inprocess both serve inside this process instead, which lets
// -cpuprofile see the server's hot path.
//
// Run it from the module root:
//
//	go run ./bench/release -runs 3 -duration 5s -conns 32 -postgres postgres://postgres@127.0.0.1:5432/postgres -replicas 1,3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// config is the command line of one benchmark run.
type config struct {
	conns       int
	duration    time.Duration
	maxRequests int
	runs        int
	numbers     int
	warmup      time.Duration
	server      string
	binary      string
	cpuProfile  string
	keepDir     bool
	sqlite      bool
	postgres    string // server URL; empty skips PostgreSQL
	replicas    []int  // replica counts measured on PostgreSQL
}

// maxReplicas bounds -replicas, which starts that many servers on this
// machine.
const maxReplicas = 16

func main() {
	if len(os.Args) == 2 && os.Args[1] == minimalChildArg {
		if err := serveMinimalChild(); err != nil {
			fmt.Fprintln(os.Stderr, "release: minimal handler:", err)
			os.Exit(1)
		}
		return
	}

	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err = run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.IntVar(&cfg.conns, "conns", 32, "concurrent workers, each with at most one keep-alive connection in use")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "maximum duration of each phase of each run")
	fs.IntVar(&cfg.maxRequests, "max-requests", 1_000_000, "maximum requests of each phase of each run")
	fs.IntVar(&cfg.runs, "runs", 3, "runs of every phase; the summary gives min, median and max across runs")
	fs.IntVar(&cfg.numbers, "numbers", 20_000, "active numbers seeded for the release phase, which releases each at most once per run")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "warm-up load on the minimal handler and on preview before the first run")
	fs.StringVar(&cfg.server, "server", "child", "where numberpool serves: child (the built binary) or inprocess")
	fs.StringVar(&cfg.binary, "binary", "", "numberpool binary for -server=child; empty builds ./cmd/numberpool into the temporary directory")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of this process to this file; use -server=inprocess to include the server")
	fs.BoolVar(&cfg.keepDir, "keep", false, "keep the temporary directory with the SQLite databases and the server logs")
	fs.BoolVar(&cfg.sqlite, "sqlite", true, "measure SQLite with one server")
	fs.StringVar(&cfg.postgres, "postgres", "", "URL of a PostgreSQL server on a loopback address, e.g. "+defaultPostgresURL+
		"; each setup creates a database there and drops it afterwards; empty skips PostgreSQL")
	replicas := fs.String("replicas", "1,3", "comma-separated counts of numberpool servers to measure on one PostgreSQL database")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	var err error
	if cfg.replicas, err = parseCounts(*replicas); err != nil {
		return config{}, err
	}
	return cfg, cfg.validate()
}

func parseCounts(list string) ([]int, error) {
	var counts []int
	for field := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 || n > maxReplicas {
			return nil, fmt.Errorf("invalid -replicas %q: expected counts from 1 to %d separated by commas, e.g. 1,3", list, maxReplicas)
		}
		counts = append(counts, n)
	}
	return counts, nil
}

// setups returns the setups that a run measures, in order.
func (c config) setups() []setup {
	var setups []setup
	if c.sqlite {
		setups = append(setups, setup{backend: "sqlite", replicas: 1})
	}
	if c.postgres != "" {
		for _, n := range c.replicas {
			setups = append(setups, setup{backend: "postgres", replicas: n})
		}
	}
	return setups
}

func (c config) validate() error {
	var errs []error
	if c.conns < 1 || c.conns > 1024 {
		errs = append(errs, fmt.Errorf("invalid -conns %d: expected 1 to 1024", c.conns))
	}
	if c.duration <= 0 || c.duration > 10*time.Minute {
		errs = append(errs, fmt.Errorf("invalid -duration %s: expected more than 0 and at most 10m", c.duration))
	}
	if c.maxRequests < 1 {
		errs = append(errs, fmt.Errorf("invalid -max-requests %d: expected at least 1", c.maxRequests))
	}
	if c.runs < 1 || c.runs > 100 {
		errs = append(errs, fmt.Errorf("invalid -runs %d: expected 1 to 100", c.runs))
	}
	if c.numbers < 1 || c.numbers > maxSeededNumbers {
		errs = append(errs, fmt.Errorf("invalid -numbers %d: expected 1 to %d", c.numbers, maxSeededNumbers))
	}
	if c.warmup < 0 || c.warmup > time.Minute {
		errs = append(errs, fmt.Errorf("invalid -warmup %s: expected 0 to 1m", c.warmup))
	}
	if c.server != "child" && c.server != "inprocess" {
		errs = append(errs, fmt.Errorf("invalid -server %q: expected child or inprocess", c.server))
	}
	if c.postgres != "" {
		if err := checkLoopbackServer(c.postgres); err != nil {
			errs = append(errs, err)
		}
	}
	if len(c.setups()) == 0 {
		errs = append(errs, errors.New("nothing to measure: -sqlite=false needs -postgres"))
	}
	return errors.Join(errs...)
}

// run measures every setup in turn and prints the results of each, then a
// comparison of the setups.
func run(ctx context.Context, cfg config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "numberpool-bench-release-")
	if err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}
	if cfg.keepDir {
		fmt.Fprintf(out, "temporary directory: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	binary := cfg.binary
	if cfg.server == "child" && binary == "" {
		binary = filepath.Join(dir, "numberpool")
		if err := buildNumberpool(ctx, binary); err != nil {
			return err
		}
	}
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	setups := cfg.setups()
	results := make([][]runResult, len(setups))
	for i, s := range setups {
		setupDir := filepath.Join(dir, fmt.Sprintf("setup-%d", i+1))
		if err := os.Mkdir(setupDir, 0o700); err != nil {
			return fmt.Errorf("create directory of setup %s: %w", s, err)
		}
		if results[i], err = measureSetup(ctx, cfg, s, binary, setupDir, out); err != nil {
			return fmt.Errorf("setup %s: %w", s, err)
		}
	}
	printComparison(out, setups, results)
	return nil
}

// measureSetup seeds a fresh database for s, starts its servers and the
// minimal handler, drives them and prints the results on out.
func measureSetup(ctx context.Context, cfg config, s setup, binary, dir string, out io.Writer) (runs []runResult, err error) {
	db, drop, err := prepareDatabase(ctx, s, dir, cfg.postgres)
	if err != nil {
		return nil, err
	}
	// Deferred first, so it runs last: after the servers and the baseline
	// pool have closed their connections.
	defer func() {
		if dropErr := drop(); dropErr != nil && err == nil {
			err = dropErr
		}
	}()

	seed, err := seedDatabase(ctx, db, cfg.numbers)
	if err != nil {
		return nil, err
	}
	servers, err := startNumberpool(ctx, cfg, binary, dir, db, s.replicas)
	if err != nil {
		return nil, err
	}
	defer stopAll(servers)
	minimal, err := startMinimal(ctx, cfg, dir)
	if err != nil {
		return nil, err
	}
	defer minimal.stop()
	raw, err := openRaw(ctx, db, s.replicas)
	if err != nil {
		return nil, err
	}
	defer raw.close()

	printSetup(out, cfg, s, seed)
	runs, err = measure(ctx, cfg, seed, baseURLs(servers), minimal.baseURL, raw)
	if err != nil {
		return nil, err
	}
	printResults(out, runs)
	return runs, nil
}

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func printSetup(out io.Writer, cfg config, s setup, seed seeded) {
	fmt.Fprintf(out, "\n== %s ==\n", s)
	fmt.Fprintf(out, "server=%s replicas=%d conns=%d duration=%s max-requests=%d runs=%d numbers=%d warmup=%s GOMAXPROCS=%d %s loadavg=%s\n",
		cfg.server, s.replicas, cfg.conns, cfg.duration, cfg.maxRequests, cfg.runs, len(seed.releaseNumbers), cfg.warmup,
		runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
}

// loadAverage returns the 1, 5 and 15 minute load averages of a Linux
// machine, which show whether other work competed with the benchmark, or
// "unknown" elsewhere.
func loadAverage() string {
	text, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(text))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], "/")
}
