package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"numberpool/api"
)

// Bounds on starting and stopping a server, so that a broken build or a
// server that never listens fails the run instead of hanging it.
const (
	startTimeout = 15 * time.Second
	stopTimeout  = 10 * time.Second
	pollInterval = 20 * time.Millisecond
)

// HTTP server limits of the in-process server and the minimal handler. They
// are the values the serve command sets, so that the three servers differ
// only in their handlers.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// minimalBody is the fixed response of the minimal handler, a JSON object of
// about the size of a release preview.
const minimalBody = `{"e164":"+14155551234","can_release":true,"early_termination_fee":"0.00","currency":"USD","cooling_off_period_days":30,"warnings":[]}` + "\n"

// server is one running HTTP server under test.
type server struct {
	baseURL string
	stop    func()
}

// startNumberpool starts count numberpool servers on db, each with its own
// log in dir: children running binary, or in-process servers when
// cfg.server is inprocess.
func startNumberpool(ctx context.Context, cfg config, binary, dir, db string, count int) ([]server, error) {
	var servers []server
	for i := range count {
		logPath := filepath.Join(dir, fmt.Sprintf("server-%d.log", i))
		var srv server
		var err error
		if cfg.server == "inprocess" {
			srv, err = startInProcess(ctx, db, logPath)
		} else {
			srv, err = startChild(ctx, binary, db, logPath)
		}
		if err != nil {
			stopAll(servers)
			return nil, err
		}
		servers = append(servers, srv)
	}
	return servers, nil
}

func stopAll(servers []server) {
	for _, srv := range servers {
		srv.stop()
	}
}

func baseURLs(servers []server) []string {
	urls := make([]string, len(servers))
	for i, srv := range servers {
		urls[i] = srv.baseURL
	}
	return urls
}

// buildNumberpool builds ./cmd/numberpool of the module that contains the
// working directory.
func buildNumberpool(ctx context.Context, output string) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("find the module root with go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))

	build := exec.CommandContext(ctx, "go", "build", "-o", output, "./cmd/numberpool")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build ./cmd/numberpool in %s: %w\n%s", root, err, out)
	}
	return nil
}

// listeningPattern finds the address in the serve command's start log line
// of the text log format; minimalListeningPattern finds it in the line of
// the minimal handler's child process.
var (
	listeningPattern        = regexp.MustCompile(`msg="http server listening" addr=(\S+)`)
	minimalListeningPattern = regexp.MustCompile(`minimal handler listening addr=(\S+)`)
)

// startChild runs "numberpool serve" on port 0 with its default logging,
// sent to logPath, and reads the chosen port from that log.
func startChild(ctx context.Context, binary, db, logPath string) (server, error) {
	cmd := exec.Command(binary, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-format", "text")
	return startProcess(ctx, cmd, logPath, listeningPattern)
}

// startProcess starts cmd with its output sent to logPath and waits for
// the line of pattern that gives its listening address.
func startProcess(ctx context.Context, cmd *exec.Cmd, logPath string, pattern *regexp.Regexp) (server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return server{}, fmt.Errorf("create server log: %w", err)
	}
	defer logFile.Close()

	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return server{}, fmt.Errorf("start %s: %w", cmd, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			cmd.Process.Kill()
			<-exited
		}
	}

	addr, err := waitForListenLine(ctx, logPath, pattern, exited)
	if err != nil {
		stop()
		return server{}, err
	}
	return server{baseURL: "http://" + addr, stop: stop}, nil
}

func waitForListenLine(ctx context.Context, logPath string, pattern *regexp.Regexp, exited <-chan error) (string, error) {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		text, err := os.ReadFile(logPath)
		if err != nil {
			return "", fmt.Errorf("read server log: %w", err)
		}
		if m := pattern.FindSubmatch(text); m != nil {
			return checkLoopback(string(m[1]))
		}

		select {
		case err := <-exited:
			return "", fmt.Errorf("server process exited before listening (%v); its log:\n%s", err, text)
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(pollInterval):
		}
	}
	return "", fmt.Errorf("server process did not log its address within %s; see %s", startTimeout, logPath)
}

// checkLoopback returns addr when it is a 127.0.0.1 address, so that no
// request can go to another host whatever the log contains.
func checkLoopback(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return "", fmt.Errorf("server process listens on %q, expected a 127.0.0.1 address", addr)
	}
	return addr, nil
}

// startInProcess serves the API from this process, wired as the serve
// command wires it: the store of db, api.New and a text logger at info level
// that writes to logPath.
func startInProcess(ctx context.Context, db, logPath string) (server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return server{}, fmt.Errorf("create server log: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))

	store, err := openStore(ctx, db, logger)
	if err != nil {
		logFile.Close()
		return server{}, fmt.Errorf("open database: %w", err)
	}
	handler := api.New(api.Options{Store: store, Logger: logger})

	srv, err := serveLoopback(handler)
	if err != nil {
		store.Close()
		logFile.Close()
		return server{}, err
	}
	stop := srv.stop
	srv.stop = func() {
		stop()
		store.Close()
		logFile.Close()
	}
	return srv, nil
}

// minimalChildArg is the only argument of this command when it runs as the
// minimal handler's child process.
const minimalChildArg = "-serve-minimal-child"

// startMinimal serves minimalBody to every request, in this process or, when
// numberpool runs as child processes, in a child process of its own, so that
// both servers pay the same cost of a second process on the machine.
func startMinimal(ctx context.Context, cfg config, dir string) (server, error) {
	if cfg.server == "inprocess" {
		return serveLoopback(minimalHandler())
	}

	self, err := os.Executable()
	if err != nil {
		return server{}, fmt.Errorf("find this command's executable for the minimal handler: %w", err)
	}
	return startProcess(ctx, exec.Command(self, minimalChildArg), filepath.Join(dir, "minimal.log"), minimalListeningPattern)
}

func minimalHandler() http.Handler {
	body := []byte(minimalBody)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// serveMinimalChild is the minimal handler's child process: it serves on a
// 127.0.0.1 port, prints the line that minimalListeningPattern reads, and
// stops on an interrupt.
func serveMinimalChild() error {
	srv, err := serveLoopback(minimalHandler())
	if err != nil {
		return err
	}
	fmt.Printf("minimal handler listening addr=%s\n", strings.TrimPrefix(srv.baseURL, "http://"))

	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	<-interrupted
	srv.stop()
	return nil
}

func serveLoopback(handler http.Handler) (server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return server{}, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "release: serve:", err)
		}
	}
	return server{baseURL: "http://" + ln.Addr().String(), stop: stop}, nil
}
