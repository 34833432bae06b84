package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"numberpool"
)

func testImport(t *testing.T, newStore Harness, _ config) {
	t.Run("kinds", func(t *testing.T) { testImportKinds(t, newStore) })
	t.Run("duplicate", func(t *testing.T) { testImportDuplicate(t, newStore) })
	t.Run("unknown account", func(t *testing.T) { testImportUnknownAccount(t, newStore) })
	t.Run("invalid", func(t *testing.T) { testImportInvalid(t, newStore) })
	t.Run("cancelled", func(t *testing.T) { testImportCancelled(t, newStore) })
	t.Run("scan", func(t *testing.T) { testScanNumbers(t, newStore) })
}

// testScanNumbers checks that ScanNumbers passes every number in E.164
// order with its country, type, status and owner, and stops at an error of
// its function.
func testScanNumbers(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	released := owned(usNumber(1), "acc_a", t0.Add(-200*day))
	released.Status, released.ReleasedAt, released.AvailableAfter = numberpool.StatusReleased, t0.Add(-2*day), t0.Add(28*day)
	available := numberpool.Number{E164: usNumber(3), Country: "US", Type: numberpool.TypeTollFree, Status: numberpool.StatusAvailable}
	f.load(available, owned(usNumber(2), "acc_a", t0.Add(-day)), released)

	type scanned struct {
		E164, Country, AccountID string
		Type                     numberpool.NumberType
		Status                   numberpool.Status
	}
	var got []scanned
	err := f.store.ScanNumbers(f.ctx, func(n numberpool.Number) error {
		got = append(got, scanned{n.E164, n.Country, n.AccountID, n.Type, n.Status})
		return nil
	})
	if err != nil {
		t.Fatalf("ScanNumbers: %v", err)
	}
	want := []scanned{
		{usNumber(1), "US", "acc_a", numberpool.TypeLocal, numberpool.StatusReleased},
		{usNumber(2), "US", "acc_a", numberpool.TypeLocal, numberpool.StatusActive},
		{usNumber(3), "US", "", numberpool.TypeTollFree, numberpool.StatusAvailable},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ScanNumbers (-want +got):\n%s", d)
	}

	stop := errors.New("stop")
	calls := 0
	err = f.store.ScanNumbers(f.ctx, func(numberpool.Number) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ScanNumbers with a failing function = %v after %d calls, want stop after 1", err, calls)
	}
}

// testImportKinds imports an available, an active and a released number and
// reads each back.
func testImportKinds(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")

	available := numberpool.Number{
		E164: usNumber(1), Country: "US", Type: numberpool.TypeTollFree,
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice},
		MonthlyFee:   200, SetupFee: 100, Status: numberpool.StatusAvailable,
	}
	active := owned(usNumber(2), "acc_a", t0.Add(-100*day))
	active.TrunkID = "trunk_abc123"
	released := owned(usNumber(3), "acc_a", t0.Add(-200*day))
	released.Status = numberpool.StatusReleased
	released.ApplicationID = "app_xyz789"
	released.ReleasedAt = t0.Add(-2 * day)
	released.AvailableAfter = t0.Add(28 * day)
	f.load(available, active, released)

	t.Run("available", func(t *testing.T) {
		_, err := f.store.GetNumber(f.ctx, "acc_a", available.E164)
		wantNumberNotFound(t, err, available.E164)
	})

	t.Run("active", func(t *testing.T) {
		if d := diff(stored(active, t0), f.get("acc_a", active.E164)); d != "" {
			t.Errorf("GetNumber (-want +got):\n%s", d)
		}
	})

	t.Run("released", func(t *testing.T) {
		// The number row holds no assignment while released; the release
		// keeps the application for a cancel to restore.
		want := stored(released, t0)
		want.ApplicationID = ""
		if d := diff(want, f.get("acc_a", released.E164)); d != "" {
			t.Errorf("GetNumber (-want +got):\n%s", d)
		}
		if got := f.preview("acc_a", released.E164); got.CanRelease || got.CoolingOffDays != 30 {
			t.Errorf("PreviewRelease = %+v, want CanRelease false and 30 cooling-off days", got)
		}
	})

	t.Run("released cancel", func(t *testing.T) {
		if _, err := f.store.CancelRelease(f.ctx, "acc_a", released.E164); err != nil {
			t.Fatalf("CancelRelease: %v", err)
		}
		want := stored(released, t0)
		want.Status = numberpool.StatusActive
		want.ReleasedAt, want.AvailableAfter = time.Time{}, time.Time{}
		if d := diff(want, f.get("acc_a", released.E164)); d != "" {
			t.Errorf("GetNumber after cancel (-want +got):\n%s", d)
		}
	})

	t.Run("no charges", func(t *testing.T) {
		if got := f.charges("acc_a"); len(got) != 0 {
			t.Errorf("ListCharges = %+v, want none: an import charges nothing", got)
		}
	})
}

// testImportDuplicate checks that an import with a duplicate number fails
// whole, wherever the duplicate sits.
func testImportDuplicate(t *testing.T, newStore Harness) {
	existing := owned(usNumber(9000), "acc_a", t0.Add(-day))
	fresh := func(e164 string) numberpool.Number { return owned(e164, "acc_a", t0.Add(-day)) }

	tests := []struct {
		name      string
		numbers   []numberpool.Number
		duplicate string
	}{
		{"stored before", append(numbers(0, 2, fresh), existing), existing.E164},
		{"twice in import", append(numbers(0, 3, fresh), fresh(usNumber(1))), usNumber(1)},
		// Far apart, so that a backend writing in batches meets the
		// duplicate after it has written earlier rows.
		{"far apart", append(numbers(0, 1200, fresh), fresh(usNumber(5))), usNumber(5)},
		{"available twice", []numberpool.Number{
			fresh(usNumber(0)),
			{E164: usNumber(1), Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
			{E164: usNumber(1), Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
		}, usNumber(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			f.load(existing)

			_, err := f.store.ImportNumbers(f.ctx, slices.Values(tt.numbers))
			wantCode(t, err, numberpool.CodeConflict)
			wantMessageNames(t, err, tt.duplicate)
			wantOnlyListed(t, f, "acc_a", existing.E164)
		})
	}
}

func testImportUnknownAccount(t *testing.T, newStore Harness) {
	releasedOf := func(accountID string) numberpool.Number {
		n := owned(usNumber(7), accountID, t0.Add(-10*day))
		n.Status = numberpool.StatusReleased
		n.ReleasedAt, n.AvailableAfter = t0.Add(-day), t0.Add(29*day)
		return n
	}
	tests := []struct {
		name    string
		numbers []numberpool.Number
	}{
		{"active", []numberpool.Number{
			owned(usNumber(1), "acc_a", t0), owned(usNumber(2), "acc_missing", t0),
		}},
		{"released", []numberpool.Number{owned(usNumber(1), "acc_a", t0), releasedOf("acc_missing")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")

			_, err := f.store.ImportNumbers(f.ctx, slices.Values(tt.numbers))
			wantCode(t, err, numberpool.CodeNotFound)
			wantMessageNames(t, err, "acc_missing")
			wantOnlyListed(t, f, "acc_a")
		})
	}
}

func testImportInvalid(t *testing.T, newStore Harness) {
	noPurchase := owned(usNumber(2), "acc_a", time.Time{})
	noRelease := owned(usNumber(2), "acc_a", t0)
	noRelease.Status = numberpool.StatusReleased
	ownedAvailable := owned(usNumber(2), "acc_a", t0)
	ownedAvailable.Status = numberpool.StatusAvailable
	badE164 := owned("14155550100", "acc_a", t0)

	tests := []struct {
		name   string
		number numberpool.Number
	}{
		{"no purchase time", noPurchase},
		{"no release time", noRelease},
		{"available with owner", ownedAvailable},
		{"not E.164", badE164},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")

			_, err := f.store.ImportNumbers(f.ctx, slices.Values([]numberpool.Number{owned(usNumber(1), "acc_a", t0), tt.number}))
			wantCode(t, err, numberpool.CodeValidationFailed)
			wantOnlyListed(t, f, "acc_a")
		})
	}
}

// wantOnlyListed fails t unless the account's list holds exactly e164s, in
// this order.
func wantOnlyListed(t *testing.T, f *fixture, accountID string, e164s ...string) {
	t.Helper()
	page, err := f.store.ListNumbers(f.ctx, accountID, numberpool.NumberFilter{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatalf("ListNumbers: %v", err)
	}
	if d := diff(e164s, e164sOf(page.Numbers)); d != "" {
		t.Errorf("listed numbers (-want +got):\n%s", d)
	}
	if page.Total != len(e164s) {
		t.Errorf("ListNumbers total = %d, want %d", page.Total, len(e164s))
	}
}

func e164sOf(ns []numberpool.Number) []string {
	e164s := []string{}
	for _, n := range ns {
		e164s = append(e164s, n.E164)
	}
	return e164s
}

func testGet(t *testing.T, newStore Harness, _ config) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	mine := owned(usNumber(1), "acc_a", t0.Add(-day))
	theirs := owned(usNumber(2), "acc_b", t0.Add(-day))
	f.load(mine, theirs)

	t.Run("own", func(t *testing.T) {
		if d := diff(stored(mine, t0), f.get("acc_a", mine.E164)); d != "" {
			t.Errorf("GetNumber (-want +got):\n%s", d)
		}
	})

	// A number of another account must be indistinguishable from a missing
	// one, so that nobody can probe which numbers others own.
	tests := []struct {
		name string
		e164 string
	}{
		{"other account", theirs.E164},
		{"missing", usNumber(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.GetNumber(f.ctx, "acc_a", tt.e164)
			wantNumberNotFound(t, err, tt.e164)
		})
	}
}

// testImportCancelled checks that an import whose context ends while seq
// yields, or as seq returns, stores nothing: this is how a reader that finds
// an invalid row after streaming many valid ones aborts.
func testImportCancelled(t *testing.T, newStore Harness) {
	tests := []struct {
		name   string
		rows   int
		cancel int // rows yielded before the cancel
	}{
		{"at the end", 1200, 1200},
		{"in a batch", 1200, 300},
		{"before any row", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			kept := owned(usNumber(5000), "acc_a", t0)
			f.load(kept)

			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			all := numbers(0, tt.rows, func(e164 string) numberpool.Number { return owned(e164, "acc_a", t0) })
			seq := func(yield func(numberpool.Number) bool) {
				for i, n := range all {
					if i == tt.cancel {
						cancel()
					}
					if !yield(n) {
						return
					}
				}
				cancel()
			}

			_, err := f.store.ImportNumbers(ctx, seq)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ImportNumbers error = %v, want context.Canceled", err)
			}
			wantOnlyListed(t, f, "acc_a", kept.E164)
		})
	}
}
