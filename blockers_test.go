package numberpool

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBlockersOrderAndWords(t *testing.T) {
	placed := time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)
	g := ReleaseGuards{
		ActiveCalls:       3,
		ReleaseProtection: true,
		// Given in an order unlike the blockers', and with the account's
		// billing hold before the number's.
		Holds: []Hold{
			{AccountID: "acc_a", Kind: HoldLegal, E164: "+14155551234", Reason: "court order 7", PlacedAt: placed},
			{AccountID: "acc_a", Kind: HoldBilling, Reason: "card declined", PlacedAt: placed},
			{AccountID: "acc_a", Kind: HoldPortOut, E164: "+14155551234", Reason: "port to Carrier X", PlacedAt: placed},
			{AccountID: "acc_a", Kind: HoldBilling, E164: "+14155551234", Reason: "invoice 1042 unpaid", PlacedAt: placed},
		},
	}
	want := []Blocker{
		{BlockerActiveCalls, "3 active calls in progress"},
		{BlockerBillingHold, "a billing issue is open on this number (invoice 1042 unpaid; account hold: card declined)"},
		{BlockerPortOutHold, "a port-out request is in progress (port to Carrier X)"},
		{BlockerLegalHold, "a legal hold is on this number (court order 7)"},
		{BlockerReleaseProtection, `release protection is on; turn it off with PATCH on the number and {"release_protection": false}`},
	}
	if d := cmp.Diff(want, g.Blockers()); d != "" {
		t.Errorf("Blockers (-want +got):\n%s", d)
	}
}

func TestBlockersNone(t *testing.T) {
	got := ReleaseGuards{}.Blockers()
	if got == nil || len(got) != 0 {
		t.Errorf("Blockers of no guards = %#v, want an empty list", got)
	}
	if got := (ReleaseGuards{ActiveCalls: 1}).Blockers()[0].Message; got != "1 active call in progress" {
		t.Errorf("one call = %q, want singular words", got)
	}
}

func TestPreviewWithBlockers(t *testing.T) {
	n := activeNumber(t, "2026-02-26T11:45:00Z")
	now := mustTime(t, "2026-04-09T11:45:00Z")
	blockers := ReleaseGuards{ActiveCalls: 2}.Blockers()

	preview := PreviewRelease(n, DefaultPolicy, blockers, now)
	preview = AddRouteWarning(preview, Route{Kind: RouteTrunk, ID: "trunk_a", Name: "Main SIP trunk"})
	want := Preview{
		E164: n.E164, CanRelease: false, EarlyTerminationFee: 2500, CoolingOffDays: 30,
		Warnings: []string{
			"2 active calls in progress",
			"This number was purchased less than 3 months ago and has a $25.00 early termination fee",
			"routes to trunk trunk_a (Main SIP trunk); releasing removes the assignment",
		},
	}
	if d := cmp.Diff(want, preview); d != "" {
		t.Errorf("preview (-want +got):\n%s", d)
	}

	_, err := PlanRelease(n, DefaultPolicy, blockers, now)
	if !IsCode(err, CodeReleaseBlocked) {
		t.Fatalf("PlanRelease error = %v, want RELEASE_BLOCKED", err)
	}
	if d := cmp.Diff([]ErrorDetail{{Field: "active_calls", Reason: "2 active calls in progress"}}, err.(*Error).Details); d != "" {
		t.Errorf("details (-want +got):\n%s", d)
	}
}

func TestCallCountsAt(t *testing.T) {
	started := mustTime(t, "2026-04-09T11:45:00Z")
	tests := []struct {
		name  string
		after time.Duration
		want  bool
	}{
		{"at start", 0, true},
		{"second before limit", DefaultMaxCallDuration - time.Second, true},
		{"at limit", DefaultMaxCallDuration, false},
		{"after limit", DefaultMaxCallDuration + time.Hour, false},
	}
	for _, tt := range tests {
		if got := CallCountsAt(started, started.Add(tt.after), DefaultMaxCallDuration); got != tt.want {
			t.Errorf("%s: CallCountsAt = %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestDisplayStatus(t *testing.T) {
	now := mustTime(t, "2026-04-09T11:45:00Z")
	n := activeNumber(t, "2025-04-09T11:45:00Z")
	billing := ReleaseGuards{Holds: []Hold{{Kind: HoldBilling, Reason: "x"}}}
	legal := ReleaseGuards{Holds: []Hold{{Kind: HoldLegal, Reason: "x"}}}

	if got := DisplayStatus(n, billing, now); got != StatusSuspended {
		t.Errorf("active with a billing hold = %s, want suspended", got)
	}
	if got := DisplayStatus(n, legal, now); got != StatusActive {
		t.Errorf("active with a legal hold = %s, want active", got)
	}
	released := n
	released.Status, released.ReleasedAt, released.AvailableAfter = StatusReleased, now, now.Add(30*24*time.Hour)
	if got := DisplayStatus(released, billing, now); got != StatusReleased {
		t.Errorf("released with a billing hold = %s, want released", got)
	}
}

func TestParseHoldKindAndCallInput(t *testing.T) {
	for _, kind := range []string{"billing", "port_out", "legal"} {
		if got, err := ParseHoldKind(kind); err != nil || string(got) != kind {
			t.Errorf("ParseHoldKind(%q) = %q, %v", kind, got, err)
		}
	}
	for _, bad := range []string{"", "Billing", "port-out"} {
		if _, err := ParseHoldKind(bad); !IsCode(err, CodeValidationFailed) {
			t.Errorf("ParseHoldKind(%q) error = %v, want VALIDATION_FAILED", bad, err)
		}
	}

	for _, id := range []string{"c", "CA0123456789abcdef", strings.Repeat("x", 128), "call-1/leg:2"} {
		if err := ValidateCallID(id); err != nil {
			t.Errorf("ValidateCallID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", "a b", strings.Repeat("x", 129), "café", "tab\there"} {
		if err := ValidateCallID(id); !IsCode(err, CodeValidationFailed) {
			t.Errorf("ValidateCallID(%q) = %v, want VALIDATION_FAILED", id, err)
		}
	}
	if _, err := ParseCallEvent("answered"); !IsCode(err, CodeValidationFailed) {
		t.Errorf("ParseCallEvent(answered) = %v, want VALIDATION_FAILED", err)
	}
}

func TestValidateHoldReason(t *testing.T) {
	if err := ValidateHoldReason("invoice 1042 unpaid"); err != nil {
		t.Errorf("a plain reason: %v", err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("r", 501), "\xff"} {
		if err := ValidateHoldReason(bad); !IsCode(err, CodeValidationFailed) {
			t.Errorf("ValidateHoldReason(%q) = %v, want VALIDATION_FAILED", bad, err)
		}
	}
}
