// Package storetest is the conformance suite of numberpool.Store: every
// backend runs Run against fresh databases of its own and must pass it
// unchanged. The suite uses a store only through the numberpool interfaces,
// so it makes no assumption about the database behind it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"numberpool"
)

// Harness creates a fresh, empty, migrated store using the given clock and
// policies, and closes it when t ends (t.Cleanup). The suite calls it from
// parallel subtests.
type Harness func(t *testing.T, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store

// Reopen opens a second store on the database of s, which stays open, with
// other policies. The suite uses it to show that a policy change does not
// move the end of a cooling-off period already running.
type Reopen func(t *testing.T, s numberpool.Store, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store

// Option adds an optional capability of a backend's harness to Run.
type Option func(*config)

type config struct {
	reopen Reopen
}

// WithReopen gives the suite a way to reopen a store. Without it the
// policy-change test is skipped.
func WithReopen(r Reopen) Option {
	return func(c *config) { c.reopen = r }
}

// Run runs the conformance subtests against stores made by newStore. Every
// store must also implement numberpool.ChargeStore.
func Run(t *testing.T, newStore Harness, opts ...Option) {
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}

	tests := []struct {
		name string
		run  func(*testing.T, Harness, config)
	}{
		{"accounts", testAccounts},
		{"import", testImport},
		{"get", testGet},
		{"preview", testPreview},
		{"release", testRelease},
		{"policy", testPolicy},
		{"cancel", testCancel},
		{"cooling off end", testCoolingOffEnd},
		{"list", testList},
		{"race", testRace},
		{"routing", testRouting},
		{"blockers", testBlockers},
		{"pool", testPool},
		{"ownership", testOwnership},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newStore, cfg)
		})
	}
}

// t0 is the time every fixture starts at.
var t0 = time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)

const day = 24 * time.Hour

func defaultPolicies() numberpool.Policies {
	return numberpool.Policies{Default: numberpool.DefaultPolicy}
}

// fixture is one fresh store with its clock.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *numberpool.ManualClock
	store numberpool.Store
}

func newFixture(t *testing.T, newStore Harness, policies numberpool.Policies) *fixture {
	t.Helper()
	clock := numberpool.NewManualClock(t0)
	return &fixture{t: t, ctx: t.Context(), clock: clock, store: newStore(t, clock, policies)}
}

// accounts creates accounts that the test needs to exist.
func (f *fixture) accounts(ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		if _, err := f.store.CreateAccount(f.ctx, id); err != nil {
			f.t.Fatalf("CreateAccount(%s): %v", id, err)
		}
	}
}

// load imports numbers that the test needs to exist.
func (f *fixture) load(numbers ...numberpool.Number) {
	f.t.Helper()
	count, err := f.store.ImportNumbers(f.ctx, slices.Values(numbers))
	if err != nil {
		f.t.Fatalf("ImportNumbers: %v", err)
	}
	if count != len(numbers) {
		f.t.Fatalf("ImportNumbers count = %d, want %d", count, len(numbers))
	}
}

func (f *fixture) get(accountID, e164 string) numberpool.Number {
	f.t.Helper()
	n, err := f.store.GetNumber(f.ctx, accountID, e164)
	if err != nil {
		f.t.Fatalf("GetNumber(%s, %s): %v", accountID, e164, err)
	}
	return n
}

func (f *fixture) release(accountID, e164 string) numberpool.Release {
	f.t.Helper()
	r, err := f.store.ReleaseNumber(f.ctx, accountID, e164)
	if err != nil {
		f.t.Fatalf("ReleaseNumber(%s, %s): %v", accountID, e164, err)
	}
	return r
}

func (f *fixture) preview(accountID, e164 string) numberpool.Preview {
	f.t.Helper()
	p, err := f.store.PreviewRelease(f.ctx, accountID, e164)
	if err != nil {
		f.t.Fatalf("PreviewRelease(%s, %s): %v", accountID, e164, err)
	}
	return p
}

func (f *fixture) charges(accountID string) []numberpool.Charge {
	f.t.Helper()
	return listCharges(f.t, f.store, accountID)
}

func listCharges(t *testing.T, s numberpool.Store, accountID string) []numberpool.Charge {
	t.Helper()
	cs, ok := s.(numberpool.ChargeStore)
	if !ok {
		t.Fatalf("store %T does not implement numberpool.ChargeStore", s)
	}
	charges, err := cs.ListCharges(t.Context(), accountID)
	if err != nil {
		t.Fatalf("ListCharges(%s): %v", accountID, err)
	}
	return charges
}

// owned returns an active US local number of accountID bought at
// purchasedAt.
func owned(e164, accountID string, purchasedAt time.Time) numberpool.Number {
	return numberpool.Number{
		E164:         e164,
		Country:      "US",
		Type:         numberpool.TypeLocal,
		Region:       "CA",
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
		MonthlyFee:   115,
		Status:       numberpool.StatusActive,
		AccountID:    accountID,
		PurchasedAt:  purchasedAt,
	}
}

// stored returns n as a store returns it after writing it at updatedAt.
func stored(n numberpool.Number, updatedAt time.Time) numberpool.Number {
	n.UpdatedAt = updatedAt
	return n
}

// usNumber returns the i-th number of a US test range.
func usNumber(i int) string {
	return fmt.Sprintf("+1415555%04d", i)
}

func numbers(from, to int, make func(e164 string) numberpool.Number) []numberpool.Number {
	var ns []numberpool.Number
	for i := from; i < to; i++ {
		ns = append(ns, make(usNumber(i)))
	}
	return ns
}

// numberOpts compares numbers with an empty capability list equal to none.
var numberOpts = cmpopts.EquateEmpty()

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code numberpool.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %s", code)
	}
	if got := numberpool.ErrorCode(err); got != code {
		t.Fatalf("error code = %s, want %s (error: %v)", got, code, err)
	}
}

// wantNumberNotFound fails t unless err is exactly the NOT_FOUND of a number
// missing from the account.
func wantNumberNotFound(t *testing.T, err error, e164 string) {
	t.Helper()
	wantCode(t, err, numberpool.CodeNotFound)
	want := numberpool.NumberNotFound(e164).Message
	if got := errorMessage(err); got != want {
		t.Errorf("error message = %q, want %q", got, want)
	}
}

// wantMessageNames fails t unless err's client message contains value.
func wantMessageNames(t *testing.T, err error, value string) {
	t.Helper()
	if msg := errorMessage(err); !strings.Contains(msg, value) {
		t.Errorf("error message %q does not name %s", msg, value)
	}
}

func errorMessage(err error) string {
	var e *numberpool.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Message
}

func diff(want, got any) string {
	return cmp.Diff(want, got, numberOpts)
}
