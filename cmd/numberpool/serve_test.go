package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// testServer is a Main running on 127.0.0.1 with an ephemeral port.
type testServer struct {
	*Main
	key    string // the demo key printed at start
	out    string // the demo output printed at start
	cancel context.CancelFunc
	done   chan error // receives the result of Run
}

// startServer boots the whole server with the demo data on a SQLite file
// at path, and stops it at the end of the test.
func startServer(tb testing.TB, path string, clock numberpool.Clock) *testServer {
	tb.Helper()
	return startServerWith(tb, path, clock, func(*Config) {})
}

// startServerWith is startServer with the configuration changed by set.
func startServerWith(tb testing.TB, path string, clock numberpool.Clock, set func(*Config)) *testServer {
	tb.Helper()
	cfg := defaultConfig()
	cfg.DB = path
	cfg.Addr = "127.0.0.1:0"
	set(&cfg)
	if err := cfg.validate(); err != nil {
		tb.Fatal(err)
	}

	var stdout bytes.Buffer
	m := &Main{
		Config: cfg,
		Clock:  clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Demo:   true,
		Stdout: &stdout,
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		m.Close()
		tb.Fatalf("Open: %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	s := &testServer{Main: m, cancel: cancel, done: done}
	tb.Cleanup(func() { s.stop(tb) })
	s.out = stdout.String()
	s.key = demoKey(tb, s.out)
	return s
}

// stop ends the server's context and checks that it shuts down cleanly. It
// may be called more than once.
func (s *testServer) stop(tb testing.TB) {
	tb.Helper()
	if s.done == nil {
		return
	}
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			tb.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		tb.Error("Run did not return within 10s of its context ending")
	}
	s.done = nil
	if err := s.Close(); err != nil {
		tb.Errorf("Close: %v", err)
	}
}

// demoKey returns the key from the demo output and checks the curl line.
func demoKey(tb testing.TB, out string) string {
	tb.Helper()
	var key string
	for line := range strings.Lines(out) {
		if k, ok := strings.CutPrefix(line, "API key: "); ok {
			key = strings.TrimSpace(k)
		}
	}
	if !strings.HasPrefix(key, numberpool.LiveKeyPrefix) {
		tb.Fatalf("demo output has no live key:\n%s", out)
	}
	if !strings.Contains(out, "/release-preview --header 'Authorization: Bearer "+key+"'") {
		tb.Errorf("demo output has no curl line for the preview:\n%s", out)
	}
	return key
}

// call sends one request to the server and returns the status and the body.
func (s *testServer) call(tb testing.TB, method, path, key string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, s.URL()+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// checkCall sends a request and compares the status and the body.
func (s *testServer) checkCall(tb testing.TB, method, path, key string, wantStatus int, wantBody string) {
	tb.Helper()
	status, body := s.call(tb, method, path, key)
	if status != wantStatus {
		tb.Errorf("%s %s: status %d, want %d; body %s", method, path, status, wantStatus, body)
	}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		tb.Errorf("%s %s: body mismatch (-want +got):\n%s", method, path, diff)
	}
}

const demoNumberPath = "/v1/account/acc_123abc/numbers/+14155551234"

func TestServeListensOnLoopback(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow))

	addr, ok := s.Addr().(*net.TCPAddr)
	if !ok || !addr.IP.IsLoopback() || addr.Port == 0 {
		t.Errorf("Addr = %v, want 127.0.0.1 with a chosen port", s.Addr())
	}
	if status, _ := s.call(t, http.MethodGet, "/healthz", ""); status != http.StatusOK {
		t.Errorf("GET /healthz: status %d, want 200", status)
	}
}

func TestServeDemoReleaseFlow(t *testing.T) {
	clock := numberpool.NewManualClock(testNow)
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), clock)

	// Bought six weeks ago: the release owes the fee.
	s.checkCall(t, http.MethodGet, demoNumberPath+"/release-preview", s.key, http.StatusOK,
		`{"e164":"+14155551234","can_release":true,"early_termination_fee":25.00,"currency":"USD","cooling_off_period_days":30,`+
			`"warnings":["This number was purchased less than 3 months ago and has a $25.00 early termination fee"]}`)
	// Bought a year ago: no fee.
	s.checkCall(t, http.MethodGet, "/v1/account/acc_123abc/numbers/+14155550100/release-preview", s.key, http.StatusOK,
		`{"e164":"+14155550100","can_release":true,"early_termination_fee":0.00,"currency":"USD","cooling_off_period_days":30,"warnings":[]}`)

	s.checkCall(t, http.MethodDelete, demoNumberPath, s.key, http.StatusOK,
		`{"e164":"+14155551234","status":"released","released_at":"2026-04-09T11:45:00Z","early_termination_fee":25.00,`+
			`"currency":"USD","cooling_off_period_days":30,"available_after":"2026-05-09T11:45:00Z"}`)
	if status, _ := s.call(t, http.MethodDelete, demoNumberPath, s.key); status != http.StatusConflict {
		t.Errorf("second DELETE: status %d, want 409", status)
	}

	clock.Advance(15 * time.Minute)
	s.checkCall(t, http.MethodPost, demoNumberPath+"/cancel-release", s.key, http.StatusOK,
		`{"e164":"+14155551234","status":"active","release_cancelled_at":"2026-04-09T12:00:00Z","message":"Number release cancelled successfully","warnings":[]}`)
}

func TestServeRejectsMissingKey(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow))
	if status, _ := s.call(t, http.MethodGet, demoNumberPath+"/release-preview", ""); status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", status)
	}
}

func TestServeDemoTwiceKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numberpool.db")
	clock := numberpool.NewManualClock(testNow)

	first := startServer(t, path, clock)
	if status, body := first.call(t, http.MethodDelete, demoNumberPath, first.key); status != http.StatusOK {
		t.Fatalf("DELETE: status %d, body %s", status, body)
	}
	first.stop(t)

	second := startServer(t, path, clock)
	if second.key == first.key {
		t.Errorf("both runs printed the key %s, want a new one", first.key)
	}
	// The release of the first run is kept, and both keys work.
	for _, key := range []string{first.key, second.key} {
		status, body := second.call(t, http.MethodGet, demoNumberPath+"/release-preview", key)
		if status != http.StatusOK || !strings.Contains(body, `"can_release":false`) {
			t.Errorf("preview with key %s: status %d, body %s; want the number still released", key, status, body)
		}
	}
}

func TestServeStopsWhenContextEnds(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow))
	addr := s.Addr().String()
	s.stop(t)

	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after shutdown", addr)
	}
}

func TestServeAddressInUse(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow))

	cfg := defaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "other.db")
	cfg.Addr = s.Addr().String()
	m := &Main{Config: cfg, Clock: numberpool.NewManualClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	defer m.Close()

	err := m.Open(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen on "+cfg.Addr) {
		t.Errorf("Open on a busy address: error %v, want a listen error", err)
	}
}

// syncBuffer is a bytes.Buffer that one goroutine writes while another
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestServeCommand(t *testing.T) {
	stdoutReader, stdoutWriter := io.Pipe()
	var stderr syncBuffer
	a := &app{
		stdin:  strings.NewReader(""),
		stdout: stdoutWriter,
		stderr: &stderr,
		getenv: func(name string) (string, bool) { return "", false },
		clock:  numberpool.NewManualClock(testNow),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	exit := make(chan int, 1)
	args := []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "numberpool.db")}
	go func() {
		exit <- a.run(ctx, args)
		stdoutWriter.Close()
	}()

	// The demo output ends with the curl line, whose URL gives the address.
	var curl string
	lines := bufio.NewScanner(stdoutReader)
	for curl == "" && lines.Scan() {
		if strings.HasPrefix(lines.Text(), "curl ") {
			curl = lines.Text()
		}
	}
	fields := strings.Fields(curl)
	if len(fields) < 5 {
		t.Fatalf("no curl line in the demo output; stderr:\n%s", stderr.String())
	}
	go io.Copy(io.Discard, stdoutReader)

	url := strings.TrimSuffix(fields[4], "/v1/account/acc_123abc/numbers/+14155551234/release-preview")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url + "/healthz")
	if err != nil {
		t.Fatalf("GET %s/healthz: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: status %d, want 200", resp.StatusCode)
	}

	cancel()
	select {
	case code := <-exit:
		if code != exitOK {
			t.Errorf("exit code = %d, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return within 10s of its context ending")
	}
	if !strings.Contains(stderr.String(), `msg="http server listening" addr=127.0.0.1:`) {
		t.Errorf("stderr does not log the listening address:\n%s", stderr.String())
	}
}

// TestServeDemoPrintsHoldings checks that the demo output lists what the
// account holds at start, also after a released number left it.
func TestServeDemoPrintsHoldings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numberpool.db")
	clock := numberpool.NewManualClock(testNow)

	first := startServer(t, path, clock)
	for _, want := range []string{"holds 2 numbers", "+14155551234  active", "+14155550100  active", "numbers/+14155551234/release-preview"} {
		if !strings.Contains(first.out, want) {
			t.Errorf("first output does not contain %q:\n%s", want, first.out)
		}
	}
	if status, body := first.call(t, http.MethodDelete, demoNumberPath, first.key); status != http.StatusOK {
		t.Fatalf("DELETE: status %d, body %s", status, body)
	}
	first.stop(t)

	// The cooling-off period of 30 days has ended: the number is back in
	// the pool and the account no longer holds it.
	clock.Advance(31 * 24 * time.Hour)
	second := startServer(t, path, clock)
	if !strings.Contains(second.out, "holds 1 number:") || !strings.Contains(second.out, "+14155550100  active") {
		t.Errorf("second output does not list +14155550100 alone:\n%s", second.out)
	}
	if strings.Contains(second.out, "+14155551234") {
		t.Errorf("second output names the released number:\n%s", second.out)
	}
	second.stop(t)

	// A billing hold suspends the number, as the number object shows it.
	mustRun(t, "", "holds", "place", "--db", path, "--number", "+14155550100", "--kind", "billing", "--reason", "invoice 7 unpaid")
	third := startServer(t, path, clock)
	if !strings.Contains(third.out, "+14155550100  suspended") {
		t.Errorf("third output does not show +14155550100 suspended:\n%s", third.out)
	}
}

// getStatus sends GET url and returns the status and the body.
func getStatus(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body of GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

func TestServeMetricsOnAPIListener(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow))
	if s.MetricsAddr() != nil {
		t.Errorf("MetricsAddr = %v, want nil without --metrics-addr", s.MetricsAddr())
	}
	if status, _ := getStatus(t, s.URL()+"/metrics"); status != http.StatusOK {
		t.Errorf("GET /metrics on the API listener: status %d, want 200", status)
	}
}

func TestServeMetricsOnSeparateListener(t *testing.T) {
	s := startServerWith(t, filepath.Join(t.TempDir(), "numberpool.db"), numberpool.NewManualClock(testNow),
		func(c *Config) { c.MetricsAddr = "127.0.0.1:0" })
	metricsURL := "http://" + s.MetricsAddr().String()

	// A request on the API first, so that the metrics have a sample to show.
	if status, _ := getStatus(t, s.URL()+"/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz on the API listener: status %d, want 200", status)
	}
	if status, _ := getStatus(t, s.URL()+"/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the API listener: status %d, want 404", status)
	}
	status, body := getStatus(t, metricsURL+"/metrics")
	if status != http.StatusOK {
		t.Errorf("GET /metrics on the metrics listener: status %d, want 200", status)
	}
	if !strings.Contains(body, "# TYPE ") {
		t.Errorf("metrics body has no metric:\n%.500s", body)
	}
	if status, _ := getStatus(t, metricsURL+"/healthz"); status != http.StatusNotFound {
		t.Errorf("GET /healthz on the metrics listener: status %d, want 404", status)
	}
}
