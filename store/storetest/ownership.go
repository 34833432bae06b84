package storetest

import (
	"testing"

	"numberpool"
)

// testOwnership checks that what belongs to one ownership of a number ends
// when the number leaves the account.
func testOwnership(t *testing.T, newStore Harness, _ config) {
	t.Run("holds", func(t *testing.T) { testHoldsEndWithOwnership(t, newStore) })
	t.Run("calls", func(t *testing.T) { testCallsEndWithOwnership(t, newStore) })
}

// testHoldsEndWithOwnership places number holds during the cooling-off
// period of two released numbers. When one is bought by another account and
// the other is swept back to the pool, their holds end and stay as history,
// while the account hold of the old owner stays in force.
func testHoldsEndWithOwnership(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	bought, swept := usNumber(1), usNumber(2)
	f.load(owned(bought, "acc_a", t0.Add(-300*day)), owned(swept, "acc_a", t0.Add(-300*day)))
	release := f.release("acc_a", bought)
	f.release("acc_a", swept)

	f.hold(numberpool.Hold{E164: bought, Kind: numberpool.HoldLegal, Reason: "court order"})
	f.hold(numberpool.Hold{E164: bought, Kind: numberpool.HoldBilling, Reason: "unpaid invoice"})
	f.hold(numberpool.Hold{E164: swept, Kind: numberpool.HoldLegal, Reason: "court order"})
	accountHold := f.hold(numberpool.Hold{AccountID: "acc_a", Kind: numberpool.HoldBilling, Reason: "overdue"})

	f.clock.Set(release.AvailableAfter)
	if _, err := f.store.PurchaseNumber(f.ctx, "acc_b", bought, "US"); err != nil {
		t.Fatalf("PurchaseNumber by acc_b: %v", err)
	}
	if n, err := f.store.Sweep(f.ctx, 10); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1, nil", n, err)
	}

	f.wantHolds("acc_a", []numberpool.Hold{accountHold})
	f.wantHolds("acc_b", nil)
	_, err := f.store.LiftHold(f.ctx, "", bought, numberpool.HoldLegal)
	wantCode(t, err, numberpool.CodeNotFound)

	// Buying the swept number back starts an ownership with no number holds.
	if _, err := f.store.PurchaseNumber(f.ctx, "acc_a", swept, "US"); err != nil {
		t.Fatalf("PurchaseNumber by acc_a: %v", err)
	}
	g, err := f.store.ReleaseGuards(f.ctx, "acc_a", []string{swept})
	if err != nil {
		t.Fatalf("ReleaseGuards: %v", err)
	}
	if d := diff([]numberpool.Hold{accountHold}, g[swept].Holds); d != "" {
		t.Errorf("holds of the number bought back (-want +got):\n%s", d)
	}
}

// testCallsEndWithOwnership reuses the call ids of the old owner on two
// numbers that another account gets, one bought straight after the
// cooling-off period and one after the sweeper returned it. Each reused id
// counts as a new call of the new owner, once however often it repeats, and
// blocks its release.
func testCallsEndWithOwnership(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	bought, swept := usNumber(1), usNumber(2)
	f.load(owned(bought, "acc_a", t0.Add(-300*day)), owned(swept, "acc_a", t0.Add(-300*day)))
	for _, e164 := range []string{bought, swept} {
		f.call(e164, "call-1", numberpool.CallStarted)
		f.call(e164, "call-1", numberpool.CallEnded)
	}
	release := f.release("acc_a", bought)
	f.release("acc_a", swept)

	_, err := f.store.RecordCallEvent(f.ctx, "acc_a", bought, "call-2", numberpool.CallStarted)
	wantCode(t, err, numberpool.CodeConflict)

	f.clock.Set(release.AvailableAfter)
	if _, err := f.store.PurchaseNumber(f.ctx, "acc_b", bought, "US"); err != nil {
		t.Fatalf("PurchaseNumber(%s) by acc_b: %v", bought, err)
	}
	if n, err := f.store.Sweep(f.ctx, 10); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1, nil", n, err)
	}
	if _, err := f.store.PurchaseNumber(f.ctx, "acc_b", swept, "US"); err != nil {
		t.Fatalf("PurchaseNumber(%s) by acc_b: %v", swept, err)
	}

	for _, e164 := range []string{bought, swept} {
		report, err := f.store.RecordCallEvent(f.ctx, "acc_b", e164, "call-1", numberpool.CallStarted)
		if err != nil {
			t.Fatalf("RecordCallEvent(%s) by acc_b: %v", e164, err)
		}
		if report.ActiveCalls != 1 {
			t.Errorf("active calls of %s after acc_b reused call-1 = %d, want 1", e164, report.ActiveCalls)
		}
		repeat, err := f.store.RecordCallEvent(f.ctx, "acc_b", e164, "call-1", numberpool.CallStarted)
		if err != nil {
			t.Fatalf("repeated RecordCallEvent(%s) by acc_b: %v", e164, err)
		}
		if repeat.ActiveCalls != 1 {
			t.Errorf("active calls of %s after acc_b repeated call-1 = %d, want 1", e164, repeat.ActiveCalls)
		}
		if _, err := f.store.ReleaseNumber(f.ctx, "acc_b", e164); !numberpool.IsCode(err, numberpool.CodeReleaseBlocked) {
			t.Errorf("ReleaseNumber(%s) during acc_b's call = %v, want RELEASE_BLOCKED", e164, err)
		}
	}
}

func (f *fixture) wantHolds(accountID string, want []numberpool.Hold) {
	f.t.Helper()
	got, err := f.store.ListHolds(f.ctx, accountID)
	if err != nil {
		f.t.Fatalf("ListHolds(%s): %v", accountID, err)
	}
	if d := diff(want, got); d != "" {
		f.t.Errorf("ListHolds(%s) (-want +got):\n%s", accountID, d)
	}
}
