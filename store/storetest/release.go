package storetest

import (
	"strings"
	"testing"
	"time"

	"numberpool"
)

const feeWarning = "This number was purchased less than 3 months ago and has a $25.00 early termination fee"

func testPreview(t *testing.T, newStore Harness, _ config) {
	t.Run("fee", func(t *testing.T) { testPreviewFee(t, newStore) })
	t.Run("term end", func(t *testing.T) { testTermEnd(t, newStore) })
	t.Run("released", func(t *testing.T) { testPreviewReleased(t, newStore) })
}

func testPreviewFee(t *testing.T, newStore Harness) {
	tests := []struct {
		name      string
		purchased time.Time
		fee       numberpool.Cents
		warnings  []string
	}{
		{"six weeks", t0.Add(-42 * day), 2500, []string{feeWarning}},
		{"one year", t0.AddDate(-1, 0, 0), 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			f.load(owned(usNumber(1), "acc_a", tt.purchased))

			want := numberpool.Preview{
				E164: usNumber(1), CanRelease: true, EarlyTerminationFee: tt.fee,
				CoolingOffDays: 30, Warnings: tt.warnings,
			}
			got := f.preview("acc_a", usNumber(1))
			if d := diff(want, got); d != "" {
				t.Errorf("PreviewRelease (-want +got):\n%s", d)
			}
			if got.Warnings == nil {
				t.Error("PreviewRelease warnings = nil, want a non-nil list")
			}
		})
	}
}

// testTermEnd crosses the end of a minimum term that calendar months clamp
// to the last day of February.
func testTermEnd(t *testing.T, newStore Harness) {
	purchased := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		fee  numberpool.Cents
	}{
		{"second before", time.Date(2027, 2, 28, 9, 59, 59, 0, time.UTC), 2500},
		{"at end", time.Date(2027, 2, 28, 10, 0, 0, 0, time.UTC), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, newStore, defaultPolicies())
			f.accounts("acc_a")
			f.load(owned(usNumber(1), "acc_a", purchased))
			f.clock.Set(tt.now)

			if got := f.preview("acc_a", usNumber(1)).EarlyTerminationFee; got != tt.fee {
				t.Errorf("preview fee = %s, want %s", got, tt.fee)
			}
			if got := f.release("acc_a", usNumber(1)).EarlyTerminationFee; got != tt.fee {
				t.Errorf("release fee = %s, want %s", got, tt.fee)
			}
			wantCharges := 0
			if tt.fee > 0 {
				wantCharges = 1
			}
			if got := f.charges("acc_a"); len(got) != wantCharges {
				t.Errorf("ListCharges = %+v, want %d charges", got, wantCharges)
			}
		})
	}
}

func testPreviewReleased(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)))
	f.release("acc_a", usNumber(1))
	f.clock.Advance(time.Hour)

	got := f.preview("acc_a", usNumber(1))
	want := numberpool.Preview{E164: usNumber(1), CanRelease: false, CoolingOffDays: 30, Warnings: got.Warnings}
	if d := diff(want, got); d != "" {
		t.Errorf("PreviewRelease (-want +got):\n%s", d)
	}
	// The wording belongs to the domain package; the store must pass the
	// stored times to it.
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "2026-04-09T11:45:00Z") ||
		!strings.Contains(got.Warnings[0], "2026-05-09T11:45:00Z") {
		t.Errorf("warnings = %q, want one naming the release time and the cancel deadline 2026-05-09T11:45:00Z", got.Warnings)
	}
}

func testRelease(t *testing.T, newStore Harness, _ config) {
	t.Run("fields", func(t *testing.T) { testReleaseFields(t, newStore) })
	t.Run("no fee", func(t *testing.T) { testReleaseNoFee(t, newStore) })
	t.Run("twice", func(t *testing.T) { testReleaseTwice(t, newStore) })
	t.Run("not held", func(t *testing.T) { testReleaseNotHeld(t, newStore) })
}

func testReleaseFields(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	n := owned(usNumber(1), "acc_a", t0.Add(-42*day))
	n.TrunkID = "trunk_abc123"
	f.load(n)

	got := f.release("acc_a", n.E164)
	want := numberpool.Release{
		E164: n.E164, ReleasedAt: t0, EarlyTerminationFee: 2500,
		CoolingOffDays: 30, AvailableAfter: t0.Add(30 * day),
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ReleaseNumber (-want +got):\n%s", d)
	}

	wantNumber := stored(n, t0)
	wantNumber.Status = numberpool.StatusReleased
	wantNumber.TrunkID = ""
	wantNumber.ReleasedAt, wantNumber.AvailableAfter = t0, t0.Add(30*day)
	if d := diff(wantNumber, f.get("acc_a", n.E164)); d != "" {
		t.Errorf("GetNumber after release (-want +got):\n%s", d)
	}

	wantCharges := []numberpool.Charge{{
		AccountID: "acc_a", E164: n.E164, Kind: numberpool.ChargeEarlyTerminationFee,
		Amount: 2500, CreatedAt: t0,
	}}
	if d := diff(wantCharges, f.charges("acc_a")); d != "" {
		t.Errorf("ListCharges (-want +got):\n%s", d)
	}
}

func testReleaseNoFee(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.AddDate(-1, 0, 0)))

	if got := f.release("acc_a", usNumber(1)); got.EarlyTerminationFee != 0 {
		t.Errorf("release fee = %s, want 0.00", got.EarlyTerminationFee)
	}
	if got := f.charges("acc_a"); len(got) != 0 {
		t.Errorf("ListCharges = %+v, want none", got)
	}
}

func testReleaseTwice(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)))
	f.release("acc_a", usNumber(1))
	before := f.get("acc_a", usNumber(1))
	f.clock.Advance(time.Minute)

	_, err := f.store.ReleaseNumber(f.ctx, "acc_a", usNumber(1))
	wantCode(t, err, numberpool.CodeConflict)
	wantMessageNames(t, err, usNumber(1))

	if d := diff(before, f.get("acc_a", usNumber(1))); d != "" {
		t.Errorf("number changed by the rejected release (-want +got):\n%s", d)
	}
	if got := f.charges("acc_a"); len(got) != 1 {
		t.Errorf("ListCharges = %+v, want the one charge of the first release", got)
	}
}

func testReleaseNotHeld(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	f.load(
		owned(usNumber(1), "acc_b", t0.Add(-day)),
		numberpool.Number{E164: usNumber(2), Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
	)

	for _, e164 := range []string{usNumber(1), usNumber(2), usNumber(3)} {
		_, err := f.store.ReleaseNumber(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
		_, err = f.store.PreviewRelease(f.ctx, "acc_a", e164)
		wantNumberNotFound(t, err, e164)
	}
	if got := f.get("acc_b", usNumber(1)).Status; got != numberpool.StatusActive {
		t.Errorf("status of the other account's number = %s, want active", got)
	}
}

// usTollFreeRule follows the US rule that a disconnected toll-free number
// ages at least 45 days before it is reassigned.
var usTollFreeRule = numberpool.PolicyRule{
	Country: "US", Type: numberpool.TypeTollFree,
	Policy: numberpool.Policy{EarlyTerminationFee: 1000, MinimumTermMonths: 1, CoolingOffDays: 45},
}

func testPolicy(t *testing.T, newStore Harness, cfg config) {
	t.Run("lookup", func(t *testing.T) { testPolicyLookup(t, newStore) })
	t.Run("change", func(t *testing.T) { testPolicyChange(t, newStore, cfg.reopen) })
}

func testPolicyLookup(t *testing.T, newStore Harness) {
	policies := numberpool.Policies{Default: numberpool.DefaultPolicy, Rules: []numberpool.PolicyRule{usTollFreeRule}}
	f := newFixture(t, newStore, policies)
	f.accounts("acc_a")

	tollFree := owned("+18005550100", "acc_a", t0.Add(-14*day))
	tollFree.Type = numberpool.TypeTollFree
	local := owned(usNumber(1), "acc_a", t0.Add(-14*day))
	f.load(tollFree, local)

	tests := []struct {
		name string
		e164 string
		want numberpool.Release
	}{
		{"toll free", tollFree.E164, numberpool.Release{
			E164: tollFree.E164, ReleasedAt: t0, EarlyTerminationFee: 1000,
			CoolingOffDays: 45, AvailableAfter: t0.Add(45 * day),
		}},
		{"local", local.E164, numberpool.Release{
			E164: local.E164, ReleasedAt: t0, EarlyTerminationFee: 2500,
			CoolingOffDays: 30, AvailableAfter: t0.Add(30 * day),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			preview := f.preview("acc_a", tt.e164)
			if preview.CoolingOffDays != tt.want.CoolingOffDays || preview.EarlyTerminationFee != tt.want.EarlyTerminationFee {
				t.Errorf("PreviewRelease = %+v, want %d days and fee %s",
					preview, tt.want.CoolingOffDays, tt.want.EarlyTerminationFee)
			}
			if d := diff(tt.want, f.release("acc_a", tt.e164)); d != "" {
				t.Errorf("ReleaseNumber (-want +got):\n%s", d)
			}
		})
	}
}

// testPolicyChange releases a number, then opens the same database with a
// longer cooling-off period: the running release keeps its end.
func testPolicyChange(t *testing.T, newStore Harness, reopen Reopen) {
	if reopen == nil {
		t.Skip("the harness gives no Reopen (storetest.WithReopen)")
	}
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-42*day)), owned(usNumber(2), "acc_a", t0.Add(-42*day)))
	f.release("acc_a", usNumber(1))

	longer := numberpool.DefaultPolicy
	longer.CoolingOffDays = 60
	again := &fixture{t: t, ctx: f.ctx, clock: f.clock, store: reopen(t, f.store, f.clock, numberpool.Policies{Default: longer})}

	if got := again.get("acc_a", usNumber(1)).AvailableAfter; !got.Equal(t0.Add(30 * day)) {
		t.Errorf("available_after after the policy change = %s, want %s", got, t0.Add(30*day))
	}
	if got := again.preview("acc_a", usNumber(1)).CoolingOffDays; got != 30 {
		t.Errorf("preview cooling-off days of the running release = %d, want 30", got)
	}
	if got := again.release("acc_a", usNumber(2)).CoolingOffDays; got != 60 {
		t.Errorf("cooling-off days of a new release = %d, want 60", got)
	}

	again.clock.Set(t0.Add(30 * day))
	_, err := again.store.GetNumber(f.ctx, "acc_a", usNumber(1))
	wantNumberNotFound(t, err, usNumber(1))
	_, err = again.store.CancelRelease(f.ctx, "acc_a", usNumber(1))
	wantNumberNotFound(t, err, usNumber(1))
}
