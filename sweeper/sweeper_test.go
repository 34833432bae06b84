package sweeper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"numberpool"
	"numberpool/store/sqlite"
)

var t0 = time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)

// openStore returns a SQLite store holding count numbers of acc_a released
// at t0-40 days, whose cooling-off periods ended at t0.
func openStore(t *testing.T, count int) (*sqlite.Store, *numberpool.ManualClock) {
	t.Helper()
	clock := numberpool.NewManualClock(t0)
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "numberpool.db"),
		sqlite.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}

	var ns []numberpool.Number
	for i := range count {
		ns = append(ns, numberpool.Number{
			E164: fmt.Sprintf("+1415555%04d", i), Country: "US",
			Type: numberpool.TypeLocal, Status: numberpool.StatusReleased, AccountID: "acc_a",
			PurchasedAt: t0.Add(-400 * 24 * time.Hour), ReleasedAt: t0.Add(-40 * 24 * time.Hour), AvailableAfter: t0,
		})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
	return s, clock
}

func TestSweepOnceBatches(t *testing.T) {
	s, clock := openStore(t, 25)
	var logs bytes.Buffer
	counter := &countingStore{Store: s}
	sw := &Sweeper{Store: counter, BatchSize: 10, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	clock.Set(t0.Add(-time.Second))
	if n, err := sw.SweepOnce(t.Context()); err != nil || n != 0 {
		t.Fatalf("SweepOnce before the end of cooling off = %d, %v; want 0, nil", n, err)
	}

	clock.Set(t0)
	n, err := sw.SweepOnce(t.Context())
	if err != nil || n != 25 {
		t.Fatalf("SweepOnce = %d, %v; want 25, nil", n, err)
	}
	if d := slices.Compare(counter.results, []int{0, 10, 10, 5}); d != 0 {
		t.Errorf("batch results = %v, want [0 10 10 5]", counter.results)
	}
	if !strings.Contains(logs.String(), `"msg":"numbers returned to pool","rows":25`) {
		t.Errorf("log does not record 25 rows: %s", logs.String())
	}
	page, err := s.SearchInventory(t.Context(), numberpool.SearchFilter{Country: "US", Page: 1, PerPage: 100})
	if err != nil || page.Total != 25 {
		t.Errorf("search after the sweep: total %d, %v; want 25", page.Total, err)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	s, _ := openStore(t, 3)
	counter := &countingStore{Store: s, first: make(chan struct{})}
	sw := &Sweeper{Store: counter, Interval: time.Hour, Logger: slog.New(slog.DiscardHandler)}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sw.Run(ctx) }()

	// Run sweeps once at start; wait for that batch, then stop it.
	<-counter.first
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if got := counter.total(); got != 3 {
		t.Errorf("numbers returned = %d, want 3", got)
	}
}

func TestSweepOnceError(t *testing.T) {
	sw := &Sweeper{Store: failingStore{}, Logger: slog.New(slog.DiscardHandler)}
	if _, err := sw.SweepOnce(t.Context()); err == nil || !strings.Contains(err.Error(), "batch 1") {
		t.Errorf("SweepOnce = %v, want an error naming batch 1", err)
	}
}

// countingStore records the result of each Sweep call.
type countingStore struct {
	Store
	mu      sync.Mutex
	results []int
	first   chan struct{}
	once    sync.Once
}

func (c *countingStore) Sweep(ctx context.Context, limit int) (int, error) {
	n, err := c.Store.Sweep(ctx, limit)
	c.mu.Lock()
	c.results = append(c.results, n)
	c.mu.Unlock()
	if c.first != nil {
		c.once.Do(func() { close(c.first) })
	}
	return n, err
}

func (c *countingStore) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for _, n := range c.results {
		sum += n
	}
	return sum
}

type failingStore struct{}

func (failingStore) Sweep(context.Context, int) (int, error) {
	return 0, errors.New("disk full")
}

func TestSweepOnceIndexesGrams(t *testing.T) {
	s, _ := openStore(t, 450)
	var logs bytes.Buffer
	sw := &Sweeper{Store: s, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}

	if _, err := sw.SweepOnce(t.Context()); err != nil {
		t.Fatalf("SweepOnce: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"numbers indexed for search","rows":450`) {
		t.Errorf("log does not record 450 indexed numbers: %s", logs.String())
	}
	if n, err := s.IndexGrams(t.Context(), 10); err != nil || n != 0 {
		t.Errorf("IndexGrams after the sweep = %d, %v; want 0, nil", n, err)
	}
}

// TestSweepOnceDeletesOldCalls reports five calls, lets them age past the
// retention window and checks that one sweep deletes them all in batches.
func TestSweepOnceDeletesOldCalls(t *testing.T) {
	s, clock := openStore(t, 0)
	active := numberpool.Number{E164: "+14155550100", Country: "US", Type: numberpool.TypeLocal,
		Status: numberpool.StatusActive, AccountID: "acc_a", PurchasedAt: t0.Add(-400 * 24 * time.Hour)}
	if _, err := s.ImportNumbers(t.Context(), slices.Values([]numberpool.Number{active})); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
	for i := range 5 {
		callID := fmt.Sprintf("call-%d", i)
		if _, err := s.RecordCallEvent(t.Context(), "acc_a", active.E164, callID, numberpool.CallStarted); err != nil {
			t.Fatalf("RecordCallEvent(%s): %v", callID, err)
		}
	}

	clock.Advance(numberpool.CallRetention(numberpool.DefaultMaxCallDuration))
	var logs bytes.Buffer
	sw := &Sweeper{Store: s, BatchSize: 2, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	if _, err := sw.SweepOnce(t.Context()); err != nil {
		t.Fatalf("SweepOnce: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"old call rows deleted","rows":5`) {
		t.Errorf("log does not record 5 deleted call rows: %s", logs.String())
	}
	if n, err := s.PruneCalls(t.Context(), 10); err != nil || n != 0 {
		t.Errorf("PruneCalls after the sweep = %d, %v; want 0, nil", n, err)
	}
}
