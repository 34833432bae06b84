package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bounds on starting and stopping a replica, so that a broken build or a
// server that never listens fails the test instead of hanging it.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
	pollInterval = 20 * time.Millisecond
)

// replica is one "numberpool serve" process on a loopback port.
type replica struct {
	baseURL string
	logPath string
	cmd     *exec.Cmd
	exited  chan error
}

// startReplicas starts count serve processes on db at the same time, so that
// they also race to apply the migrations, and stops them at the end of the
// test.
func startReplicas(tb testing.TB, db string, count int) []*replica {
	tb.Helper()
	replicas := make([]*replica, count)
	errs := make([]string, count)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			r, msg := launch(db, filepath.Join(tb.TempDir(), "serve.log"))
			replicas[i], errs[i] = r, msg
		})
	}
	wg.Wait()

	for i, r := range replicas {
		if r != nil {
			tb.Cleanup(func() { r.stop(tb) })
		}
		if errs[i] != "" {
			tb.Fatalf("replica %d: %s", i, errs[i])
		}
	}
	return replicas
}

// launch starts one serve process that logs JSON to logPath, and waits for
// the log line with its address. It returns a message instead of failing tb
// because it runs outside the test's goroutine.
func launch(db, logPath string) (*replica, string) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, "create server log: " + err.Error()
	}
	defer logFile.Close()

	cmd := exec.Command(binary, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = environWithoutNumberpool()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, "start numberpool serve: " + err.Error()
	}
	r := &replica{logPath: logPath, cmd: cmd, exited: make(chan error, 1)}
	go func() { r.exited <- cmd.Wait() }()

	addr, msg := r.waitForAddress()
	if msg != "" {
		return r, msg
	}
	r.baseURL = "http://" + addr
	return r, ""
}

// environWithoutNumberpool returns this process's environment less the
// NUMBERPOOL_* variables, so that only the flags configure the replicas.
func environWithoutNumberpool() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NUMBERPOOL_") {
			env = append(env, kv)
		}
	}
	return env
}

// logLine is the part of a JSON log record that the tests read.
type logLine struct {
	Msg  string `json:"msg"`
	Addr string `json:"addr"`
}

func (r *replica) waitForAddress() (string, string) {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if addr := r.listenAddress(); addr != "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || host != "127.0.0.1" {
				return "", "serve listens on " + addr + ", expected a 127.0.0.1 address"
			}
			return addr, ""
		}
		select {
		case err := <-r.exited:
			r.exited <- err
			return "", "serve exited before listening: " + errorString(err) + "; its log:\n" + r.log()
		case <-time.After(pollInterval):
		}
	}
	return "", "serve logged no address within " + startTimeout.String() + "; its log:\n" + r.log()
}

// listenAddress returns the address of the "http server listening" record,
// or "" before serve has written it.
func (r *replica) listenAddress() string {
	scanner := bufio.NewScanner(strings.NewReader(r.log()))
	for scanner.Scan() {
		var line logLine
		if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Msg == "http server listening" {
			return line.Addr
		}
	}
	return ""
}

func (r *replica) log() string {
	text, err := os.ReadFile(r.logPath)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	return string(text)
}

// stop interrupts the process, as an operator's SIGINT would, and kills it
// when it does not exit in time. A replica that exits with an error fails
// tb and shows its log.
func (r *replica) stop(tb testing.TB) {
	tb.Helper()
	if r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-r.exited:
		if err != nil {
			tb.Errorf("replica %s exited with %v; its log:\n%s", r.baseURL, err, r.log())
		}
	case <-time.After(stopTimeout):
		r.cmd.Process.Kill()
		<-r.exited
		tb.Errorf("replica %s did not stop within %s of SIGINT; its log:\n%s", r.baseURL, stopTimeout, r.log())
	}
}

func errorString(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// response is a status, the headers and the body of one request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// requestTimeout bounds each request of the tests.
const requestTimeout = 30 * time.Second

// newClient returns a client that uses no proxy and follows no redirect, so
// that every request goes to the loopback address it names.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// send makes one request with the API key and a JSON body, both optional,
// and returns the response, or the transport error.
func send(ctx context.Context, client *http.Client, method, url, key, payload string) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(payload))
	if err != nil {
		return response{}, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if payload != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: bytes.TrimSpace(body)}, nil
}
