package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// newHoldsDB returns a migrated database with the account acc_a, which
// holds +14155551234 and +14155551235.
func newHoldsDB(tb testing.TB) (string, numberpool.Store) {
	tb.Helper()
	path := newDB(tb)
	store := openTestStore(tb, path)
	ctx := context.Background()
	if _, err := store.CreateAccount(ctx, "acc_a"); err != nil {
		tb.Fatalf("CreateAccount: %v", err)
	}
	var numbers []numberpool.Number
	for _, e164 := range []string{"+14155551234", "+14155551235"} {
		numbers = append(numbers, numberpool.Number{
			E164: e164, Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusActive,
			AccountID: "acc_a", PurchasedAt: testNow.AddDate(-1, 0, 0),
		})
	}
	if _, err := store.ImportNumbers(ctx, slices.Values(numbers)); err != nil {
		tb.Fatalf("ImportNumbers: %v", err)
	}
	return path, store
}

func TestHoldsPlaceAndLift(t *testing.T) {
	path, store := newHoldsDB(t)
	ctx := context.Background()

	out := mustRun(t, "", "holds", "place", "--db", path, "--number", "+14155551234", "--kind", "port_out",
		"--reason", "port to Carrier X")
	if want := "port_out hold placed on number +14155551234 of account acc_a\n"; out != want {
		t.Errorf("place output = %q, want %q", out, want)
	}
	out = mustRun(t, "", "holds", "place", "--db", path, "--account", "acc_a", "--kind", "billing", "--reason", "card declined")
	if want := "billing hold placed on every number of account acc_a\n"; out != want {
		t.Errorf("place output = %q, want %q", out, want)
	}

	// The account hold covers the account's other number too.
	guards, err := store.ReleaseGuards(ctx, "acc_a", []string{"+14155551235"})
	if err != nil {
		t.Fatalf("ReleaseGuards: %v", err)
	}
	if !guards["+14155551235"].Suspended() {
		t.Errorf("guards of the other number = %+v, want the account's billing hold", guards["+14155551235"])
	}
	preview, err := store.PreviewRelease(ctx, "acc_a", "+14155551234")
	if err != nil {
		t.Fatalf("PreviewRelease: %v", err)
	}
	wantWarnings := []string{
		"a billing issue is open on this number (account hold: card declined)",
		"a port-out request is in progress (port to Carrier X)",
	}
	if diff := cmp.Diff(wantWarnings, preview.Warnings); diff != "" {
		t.Errorf("preview warnings (-want +got):\n%s", diff)
	}

	out = mustRun(t, "", "holds", "list", "--db", path, "--account", "acc_a")
	want := "2026-04-09T11:45:00Z\tport_out\t+14155551234\tport to Carrier X\n" +
		"2026-04-09T11:45:00Z\tbilling\taccount\tcard declined\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("list output (-want +got):\n%s", diff)
	}

	mustRun(t, "", "holds", "lift", "--db", path, "--number", "+14155551234", "--kind", "port_out")
	out = mustRun(t, "", "holds", "lift", "--db", path, "--account", "acc_a", "--kind", "billing")
	if want := "billing hold lifted from every number of account acc_a\n"; out != want {
		t.Errorf("lift output = %q, want %q", out, want)
	}
	if preview, err := store.PreviewRelease(ctx, "acc_a", "+14155551234"); err != nil || !preview.CanRelease {
		t.Errorf("preview after lifting = %+v (error %v), want can_release", preview, err)
	}
}

func TestHoldsErrors(t *testing.T) {
	path, _ := newHoldsDB(t)
	mustRun(t, "", "holds", "place", "--db", path, "--number", "+14155551234", "--kind", "legal", "--reason", "court order 7")

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no target", []string{"holds", "place", "--kind", "legal", "--reason", "x"}, exitUsage, "missing --number or --account"},
		{"both targets", []string{"holds", "place", "--number", "+14155551234", "--account", "acc_a", "--kind", "legal", "--reason", "x"},
			exitUsage, "either --number or --account, not both"},
		{"bad kind", []string{"holds", "place", "--number", "+14155551234", "--kind", "fraud", "--reason", "x"},
			exitUsage, `invalid --kind "fraud": expected billing, port_out or legal`},
		{"no reason", []string{"holds", "place", "--number", "+14155551234", "--kind", "billing"}, exitUsage, "missing hold reason"},
		{"bad number", []string{"holds", "place", "--number", "14155551234", "--kind", "billing", "--reason", "x"},
			exitUsage, "invalid --number"},
		{"twice", []string{"holds", "place", "--number", "+14155551234", "--kind", "legal", "--reason", "again"},
			exitFail, "a legal hold is already in force on number +14155551234"},
		{"unheld number", []string{"holds", "place", "--number", "+14155559999", "--kind", "legal", "--reason", "x"},
			exitFail, "number +14155559999 is not held by any account"},
		{"unknown account", []string{"holds", "place", "--account", "acc_missing", "--kind", "legal", "--reason", "x"},
			exitFail, "account acc_missing not found"},
		{"lift missing", []string{"holds", "lift", "--number", "+14155551234", "--kind", "billing"},
			exitFail, "no billing hold is in force on number +14155551234"},
		{"list unknown account", []string{"holds", "list", "--account", "acc_nope"},
			exitFail, "account acc_nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, nil, "", append(tt.args, "--db", path)...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

func TestRoutingConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "" for valid
	}{
		{"max duration", map[string]string{"NUMBERPOOL_MAX_CALL_DURATION": "90m"}, ""},
		{"too short", map[string]string{"NUMBERPOOL_MAX_CALL_DURATION": "30s"}, "invalid --max-call-duration/NUMBERPOOL_MAX_CALL_DURATION 30s"},
		{"too long", map[string]string{"NUMBERPOOL_MAX_CALL_DURATION": "200h"}, "invalid --max-call-duration/NUMBERPOOL_MAX_CALL_DURATION 200h0m0s"},
		{"no unit", map[string]string{"NUMBERPOOL_MAX_CALL_DURATION": "4"}, "NUMBERPOOL_MAX_CALL_DURATION"},
		{"sip domain", map[string]string{"NUMBERPOOL_SIP_DOMAIN": "sip.example.com"}, ""},
		{"bad sip domain", map[string]string{"NUMBERPOOL_SIP_DOMAIN": "sip_example.com"}, "invalid --sip-domain/NUMBERPOOL_SIP_DOMAIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(t, tt.env)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("parse: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestMaxCallDurationReachesStore checks that the flag sets the duration
// after which the store stops counting a call.
func TestMaxCallDurationReachesStore(t *testing.T) {
	path, _ := newHoldsDB(t)
	clock := numberpool.NewManualClock(testNow)
	cfg := defaultConfig()
	cfg.DB = path
	cfg.MaxCallDuration = time.Hour
	store, err := openStore(context.Background(), cfg, storeDeps{Clock: clock}, false)
	if err != nil {
		t.Fatalf("openStore: %v", err)
	}
	defer store.Close()

	ctx := context.Background()
	if _, err := store.RecordCallEvent(ctx, "acc_a", "+14155551234", "CA1", numberpool.CallStarted); err != nil {
		t.Fatalf("RecordCallEvent: %v", err)
	}
	clock.Advance(time.Hour - time.Second)
	if g, _ := store.ReleaseGuards(ctx, "acc_a", []string{"+14155551234"}); g["+14155551234"].ActiveCalls != 1 {
		t.Errorf("active calls a second before the limit = %d, want 1", g["+14155551234"].ActiveCalls)
	}
	clock.Advance(time.Second)
	if g, _ := store.ReleaseGuards(ctx, "acc_a", []string{"+14155551234"}); g["+14155551234"].ActiveCalls != 0 {
		t.Errorf("active calls at the limit = %d, want 0", g["+14155551234"].ActiveCalls)
	}
}
