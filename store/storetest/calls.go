package storetest

import (
	"context"
	"testing"
	"time"

	"numberpool"
)

// callPruner is the interface through which the sweeper deletes old call
// rows. Every backend must implement it.
type callPruner interface {
	PruneCalls(ctx context.Context, limit int) (int, error)
}

func (f *fixture) pruneCalls(limit int) int {
	f.t.Helper()
	p, ok := f.store.(callPruner)
	if !ok {
		f.t.Fatalf("%T has no PruneCalls method", f.store)
	}
	n, err := p.PruneCalls(f.ctx, limit)
	if err != nil {
		f.t.Fatalf("PruneCalls(%d): %v", limit, err)
	}
	return n
}

// testCallPruning checks the retention window of call rows: a repeated
// event inside it changes nothing, rows past it are deleted in batches, and
// a call that still counts is never deleted.
func testCallPruning(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	e164 := usNumber(1)
	f.load(owned(e164, "acc_a", t0.AddDate(-1, 0, 0)))
	retention := numberpool.CallRetention(numberpool.DefaultMaxCallDuration)

	f.call(e164, "done", numberpool.CallStarted)
	f.call(e164, "done", numberpool.CallEnded)
	f.call(e164, "lost", numberpool.CallStarted)
	f.call(e164, "early", numberpool.CallEnded) // an ended with no started

	// A second before the window closes, nothing is deleted and a repeated
	// started of an ended call still does not count.
	f.clock.Advance(retention - time.Second)
	if n := f.pruneCalls(10); n != 0 {
		t.Errorf("rows deleted a second before the retention ends = %d, want 0", n)
	}
	if got := f.call(e164, "done", numberpool.CallStarted).ActiveCalls; got != 0 {
		t.Errorf("active calls after a repeated started inside the window = %d, want 0", got)
	}
	if got := f.call(e164, "early", numberpool.CallStarted).ActiveCalls; got != 0 {
		t.Errorf("active calls after a late started inside the window = %d, want 0", got)
	}
	f.call(e164, "fresh", numberpool.CallStarted)

	// At the end of the window the three old rows go, in batches of limit,
	// and the fresh call still counts.
	f.clock.Advance(time.Second)
	if n := f.pruneCalls(2); n != 2 {
		t.Errorf("rows deleted by the first batch = %d, want 2", n)
	}
	if n := f.pruneCalls(2); n != 1 {
		t.Errorf("rows deleted by the second batch = %d, want 1", n)
	}
	if got := f.guards(e164).ActiveCalls; got != 1 {
		t.Errorf("active calls after the pruning = %d, want 1", got)
	}

	// The fresh call stays until the window after its start closes.
	f.clock.Advance(retention - 2*time.Second)
	if n := f.pruneCalls(10); n != 0 {
		t.Errorf("rows deleted before the fresh call's window ends = %d, want 0", n)
	}
	f.clock.Advance(time.Second)
	if n := f.pruneCalls(10); n != 1 {
		t.Errorf("rows deleted at the end of the fresh call's window = %d, want 1", n)
	}

	p := f.store.(callPruner)
	if _, err := p.PruneCalls(f.ctx, 0); err == nil {
		t.Error("PruneCalls(0) = nil error, want one naming the limit")
	}
}
