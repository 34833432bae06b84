package storetest

import (
	"testing"
	"time"

	"numberpool"
)

func testCancel(t *testing.T, newStore Harness, _ config) {
	t.Run("restores", func(t *testing.T) { testCancelRestores(t, newStore) })
	t.Run("not released", func(t *testing.T) { testCancelNotReleased(t, newStore) })
}

// testCancelRestores checks that a cancelled release leaves the number as it
// was: active, same purchase time and trunk, the fee voided and owed again by
// a later release.
func testCancelRestores(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	n := owned(usNumber(1), "acc_a", t0.Add(-42*day))
	n.TrunkID = "trunk_abc123"
	f.load(n)
	f.release("acc_a", n.E164)
	f.clock.Advance(day)
	cancelledAt := t0.Add(day)

	got, err := f.store.CancelRelease(f.ctx, "acc_a", n.E164)
	if err != nil {
		t.Fatalf("CancelRelease: %v", err)
	}
	if d := diff(numberpool.Cancellation{E164: n.E164, CancelledAt: cancelledAt}, got); d != "" {
		t.Errorf("CancelRelease (-want +got):\n%s", d)
	}
	if d := diff(stored(n, cancelledAt), f.get("acc_a", n.E164)); d != "" {
		t.Errorf("GetNumber after cancel (-want +got):\n%s", d)
	}

	voided := numberpool.Charge{
		AccountID: "acc_a", E164: n.E164, Kind: numberpool.ChargeEarlyTerminationFee,
		Amount: 2500, CreatedAt: t0, VoidedAt: cancelledAt,
	}
	if d := diff([]numberpool.Charge{voided}, f.charges("acc_a")); d != "" {
		t.Errorf("ListCharges after cancel (-want +got):\n%s", d)
	}

	// The term still runs from the original purchase, 43 days ago.
	if got := f.preview("acc_a", n.E164).EarlyTerminationFee; got != 2500 {
		t.Errorf("preview fee after cancel = %s, want 25.00", got)
	}
	f.clock.Advance(time.Hour)
	f.release("acc_a", n.E164)
	owed := numberpool.Charge{
		AccountID: "acc_a", E164: n.E164, Kind: numberpool.ChargeEarlyTerminationFee,
		Amount: 2500, CreatedAt: cancelledAt.Add(time.Hour),
	}
	if d := diff([]numberpool.Charge{voided, owed}, f.charges("acc_a")); d != "" {
		t.Errorf("ListCharges after a second release (-want +got):\n%s", d)
	}
}

func testCancelNotReleased(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-day)), owned(usNumber(2), "acc_b", t0.Add(-day)))
	f.release("acc_b", usNumber(2))

	t.Run("active", func(t *testing.T) {
		_, err := f.store.CancelRelease(f.ctx, "acc_a", usNumber(1))
		wantCode(t, err, numberpool.CodeConflict)
		wantMessageNames(t, err, usNumber(1))
		if got := f.get("acc_a", usNumber(1)).Status; got != numberpool.StatusActive {
			t.Errorf("status = %s, want active", got)
		}
	})

	tests := []struct {
		name string
		e164 string
	}{
		{"other account", usNumber(2)},
		{"missing", usNumber(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.CancelRelease(f.ctx, "acc_a", tt.e164)
			wantNumberNotFound(t, err, tt.e164)
		})
	}
	if got := f.get("acc_b", usNumber(2)).Status; got != numberpool.StatusReleased {
		t.Errorf("status of the other account's number = %s, want released", got)
	}
}

// testCoolingOffEnd checks that the end of a cooling-off period is decided by
// the time alone: no sweeper runs in these tests.
func testCoolingOffEnd(t *testing.T, newStore Harness, _ config) {
	availableAfter := t0.Add(30 * day)

	t.Run("second before", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, newStore, defaultPolicies())
		f.accounts("acc_a")
		f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)))
		f.release("acc_a", usNumber(1))
		f.clock.Set(availableAfter.Add(-time.Second))

		if _, err := f.store.CancelRelease(f.ctx, "acc_a", usNumber(1)); err != nil {
			t.Fatalf("CancelRelease one second before the end: %v", err)
		}
		if got := f.get("acc_a", usNumber(1)).Status; got != numberpool.StatusActive {
			t.Errorf("status = %s, want active", got)
		}
	})

	t.Run("at end", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, newStore, defaultPolicies())
		f.accounts("acc_a")
		f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)))
		f.release("acc_a", usNumber(1))
		f.clock.Set(availableAfter)
		e164 := usNumber(1)

		_, err := f.store.GetNumber(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
		_, err = f.store.PreviewRelease(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
		_, err = f.store.ReleaseNumber(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
		_, err = f.store.CancelRelease(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
		wantOnlyListed(t, f, "acc_a")

		// The fee of a release that ran its course stays owed.
		if got := f.charges("acc_a"); len(got) != 1 || !got[0].VoidedAt.IsZero() {
			t.Errorf("ListCharges = %+v, want one charge still owed", got)
		}
	})
}
