package storetest

import (
	"sync"
	"testing"

	"numberpool"
)

// racers is how many requests race for one transition.
const racers = 100

// testRace sends racing releases, then racing cancels, of one number: in each
// round exactly one request may win and every other must get CONFLICT.
func testRace(t *testing.T, newStore Harness, _ config) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)))
	e164 := usNumber(1)

	t.Run("release", func(t *testing.T) {
		race(t, func() error {
			_, err := f.store.ReleaseNumber(f.ctx, "acc_a", e164)
			return err
		})
		if got := f.get("acc_a", e164).Status; got != numberpool.StatusReleased {
			t.Errorf("status = %s, want released", got)
		}
		if got := f.charges("acc_a"); len(got) != 1 || !got[0].VoidedAt.IsZero() {
			t.Errorf("ListCharges = %+v, want the one charge of the winning release", got)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		race(t, func() error {
			_, err := f.store.CancelRelease(f.ctx, "acc_a", e164)
			return err
		})
		if got := f.get("acc_a", e164).Status; got != numberpool.StatusActive {
			t.Errorf("status = %s, want active", got)
		}
		if got := f.charges("acc_a"); len(got) != 1 || got[0].VoidedAt.IsZero() {
			t.Errorf("ListCharges = %+v, want one voided charge", got)
		}
	})
}

// race runs racers calls of try at once and fails t unless exactly one
// succeeds and all others return CONFLICT.
func race(t *testing.T, try func() error) {
	t.Helper()
	start := make(chan struct{})
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = try()
		})
	}
	close(start)
	wg.Wait()

	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case numberpool.IsCode(err, numberpool.CodeConflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != racers-1 {
		t.Errorf("%d succeeded and %d got CONFLICT, want 1 and %d", wins, conflicts, racers-1)
	}
}
