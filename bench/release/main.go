// Command release measures the release routes of numberpool over HTTP on a
// SQLite file, beside a minimal net/http handler measured in the same run, so
// that the service's overhead shows as a ratio of requests per second.
//
// It seeds a fresh database in a temporary directory with one account, one
// API key and enough active numbers. It starts the numberpool server on that
// database and a minimal handler, each on its own 127.0.0.1 port. Then it
// drives both with the same client settings: keep-alive connections, a fixed
// number of concurrent workers, and a bound on both the duration and the
// request count of every phase. No request leaves 127.0.0.1.
//
// By default the server is the real binary: the command builds
// ./cmd/numberpool and runs "numberpool serve" as a child process, so the
// figures include its own logging, metrics and HTTP settings. With
// -server=inprocess the same API and store packages serve inside this
// process instead, which lets -cpuprofile see the server's hot path.
//
// Run it from the module root:
//
//	go run ./bench/release -runs 3 -duration 5s -conns 32
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
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
}

func main() {
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
	fs.BoolVar(&cfg.keepDir, "keep", false, "keep the temporary directory with the database and the server log")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	return cfg, cfg.validate()
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
	return errors.Join(errs...)
}

// run seeds the database, starts both servers, drives them and prints the
// results on out.
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

	seed, err := seedDatabase(ctx, dir, cfg.numbers)
	if err != nil {
		return err
	}
	api, err := startNumberpool(ctx, cfg, dir)
	if err != nil {
		return err
	}
	defer api.stop()
	minimal, err := startMinimal()
	if err != nil {
		return err
	}
	defer minimal.stop()

	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	printSetup(out, cfg, seed)
	results, err := measure(ctx, cfg, seed, api.baseURL, minimal.baseURL)
	if err != nil {
		return err
	}
	printResults(out, results)
	return nil
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

func printSetup(out io.Writer, cfg config, seed seeded) {
	fmt.Fprintf(out, "server=%s conns=%d duration=%s max-requests=%d runs=%d numbers=%d warmup=%s GOMAXPROCS=%d %s\n",
		cfg.server, cfg.conns, cfg.duration, cfg.maxRequests, cfg.runs, len(seed.releaseNumbers), cfg.warmup,
		runtime.GOMAXPROCS(0), runtime.Version())
}
