package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// countingStore counts the key lookups that reach the store.
type countingStore struct {
	numberpool.Store
	keyLookups atomic.Int64
}

func (s *countingStore) AccountForKey(ctx context.Context, keyHash []byte) (string, error) {
	s.keyLookups.Add(1)
	return s.Store.AccountForKey(ctx, keyHash)
}

func newCountingEnv(t *testing.T) (*testEnv, *countingStore) {
	t.Helper()
	var counting *countingStore
	env := newTestEnv(t, func(s numberpool.Store) numberpool.Store {
		counting = &countingStore{Store: s}
		return counting
	})
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	return env, counting
}

func TestKeyCacheKnownKey(t *testing.T) {
	env, counting := newCountingEnv(t)

	for i := range 3 {
		rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: status = %d, want 200 (body %s)", i+1, rec.Code, rec.Body.String())
		}
	}
	if got := counting.keyLookups.Load(); got != 1 {
		t.Errorf("store key lookups = %d, want 1", got)
	}
}

func TestKeyCacheUnknownKeyNotCached(t *testing.T) {
	env, counting := newCountingEnv(t)
	key := numberpool.NewAPIKey(numberpool.LiveKeyPrefix)
	target := numberURL(accountID, number, "/release-preview")

	if rec := env.do(t, http.MethodGet, target, key); rec.Code != http.StatusUnauthorized {
		t.Fatalf("before the key exists: status = %d, want 401", rec.Code)
	}
	if err := env.store.CreateAPIKey(context.Background(), accountID, numberpool.HashAPIKey(key)); err != nil {
		t.Fatalf("create API key: %v", err)
	}
	if rec := env.do(t, http.MethodGet, target, key); rec.Code != http.StatusOK {
		t.Errorf("after the key is created: status = %d, want 200 (body %s)", rec.Code, rec.Body.String())
	}
	if got := counting.keyLookups.Load(); got != 2 {
		t.Errorf("store key lookups = %d, want 2", got)
	}
}

func TestKeyCacheOtherAccountForbidden(t *testing.T) {
	env, _ := newCountingEnv(t)

	// The second request finds the other account's key in the cache, and
	// must still be denied access to this account.
	for i := range 2 {
		rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.otherKey)
		if rec.Code != http.StatusForbidden {
			t.Errorf("request %d: status = %d, want 403", i+1, rec.Code)
		}
	}
}

func TestValidatePathNumberMatchesCheck(t *testing.T) {
	inputs := []string{
		"+14155551234", "+442071838750", "+18005550199",
		"", "+", "14155551234", "+1415555", "+abc", "+0123456789",
		"+1415555123a", " +14155551234", "+1 415 555 1234", "+14155551234 ",
		"+" + strings.Repeat("1", 40), ".", "..",
	}
	// Each input goes through twice, so that the second result comes from
	// the cache when the first was an acceptance.
	for range 2 {
		for _, in := range inputs {
			want := numberpool.ValidateE164("e164", in)
			got := validatePathNumber("e164", in)
			if diff := cmp.Diff(errorFields(want), errorFields(got)); diff != "" {
				t.Errorf("validatePathNumber(%q) mismatch (-want +got):\n%s", in, diff)
			}
		}
	}
}

// errorFields returns the parts of a domain error that reach the client, or
// nil for a nil error.
func errorFields(err error) any {
	if err == nil {
		return nil
	}
	var e *numberpool.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	return []any{e.Code, e.Message, e.Details}
}
