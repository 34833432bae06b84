package storetest

import (
	"testing"

	"numberpool"
)

func testAccounts(t *testing.T, newStore Harness, _ config) {
	f := newFixture(t, newStore, defaultPolicies())
	s := f.store
	keyHash := numberpool.HashAPIKey(numberpool.TestKeyPrefix + "0123456789abcdefghijABCDEFGHIJ01")

	t.Run("create", func(t *testing.T) {
		got, err := s.CreateAccount(f.ctx, "acc_one")
		if err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		want := numberpool.Account{ID: "acc_one", CreatedAt: t0}
		if d := diff(want, got); d != "" {
			t.Errorf("CreateAccount (-want +got):\n%s", d)
		}
		got, err = s.GetAccount(f.ctx, "acc_one")
		if err != nil {
			t.Fatalf("GetAccount: %v", err)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("GetAccount (-want +got):\n%s", d)
		}
	})

	t.Run("duplicate account", func(t *testing.T) {
		_, err := s.CreateAccount(f.ctx, "acc_one")
		wantCode(t, err, numberpool.CodeConflict)
		wantMessageNames(t, err, "acc_one")
	})

	t.Run("missing account", func(t *testing.T) {
		_, err := s.GetAccount(f.ctx, "acc_missing")
		wantCode(t, err, numberpool.CodeNotFound)
		wantMessageNames(t, err, "acc_missing")
	})

	t.Run("key", func(t *testing.T) {
		if err := s.CreateAPIKey(f.ctx, "acc_one", keyHash); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		got, err := s.AccountForKey(f.ctx, keyHash)
		if err != nil {
			t.Fatalf("AccountForKey: %v", err)
		}
		if got != "acc_one" {
			t.Errorf("AccountForKey = %q, want acc_one", got)
		}
	})

	t.Run("duplicate key", func(t *testing.T) {
		err := s.CreateAPIKey(f.ctx, "acc_one", keyHash)
		wantCode(t, err, numberpool.CodeConflict)
	})

	t.Run("unknown key", func(t *testing.T) {
		other := numberpool.HashAPIKey(numberpool.TestKeyPrefix + "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")
		_, err := s.AccountForKey(f.ctx, other)
		wantCode(t, err, numberpool.CodeNotFound)
	})

	t.Run("key of missing account", func(t *testing.T) {
		other := numberpool.HashAPIKey(numberpool.LiveKeyPrefix + "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY")
		err := s.CreateAPIKey(f.ctx, "acc_missing", other)
		wantCode(t, err, numberpool.CodeNotFound)
		wantMessageNames(t, err, "acc_missing")
		if _, err := s.AccountForKey(f.ctx, other); !numberpool.IsCode(err, numberpool.CodeNotFound) {
			t.Errorf("AccountForKey of the rejected key: error = %v, want NOT_FOUND", err)
		}
	})
}
