package postgres_test

import (
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"numberpool"
	"numberpool/store/postgres"
	"numberpool/store/postgres/pgtest"
	"numberpool/store/storetest"
)

// databases maps each store that the harness opened to the URL of its
// database, for Reopen.
var databases sync.Map

func TestConformance(t *testing.T) {
	storetest.Run(t, newStore, storetest.WithReopen(reopen))
}

func newStore(t *testing.T, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s := openStore(t, url, clock, policies)
	databases.Store(s, url)
	return s
}

func reopen(t *testing.T, s numberpool.Store, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store {
	t.Helper()
	url, ok := databases.Load(s)
	if !ok {
		t.Fatalf("reopen: store %p was not opened by this harness", s)
	}
	return openStore(t, url.(string), clock, policies)
}

func openStore(t *testing.T, url string, clock numberpool.Clock, policies numberpool.Policies) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url, postgres.Options{Clock: clock, Policies: policies, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() {
		databases.Delete(s)
		s.Close()
	})
	return s
}

// quietLogger drops the store's informational lines, which would repeat for
// every test database.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// TestReplicasRace runs racing releases, then racing cancels, of one number
// through two stores on one database, as two API replicas would: in each
// round exactly one request may win and every other must get CONFLICT.
func TestReplicasRace(t *testing.T) {
	const racers = 20
	url := pgtest.NewDatabase(t)
	clock := numberpool.NewManualClock(time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC))
	policies := numberpool.Policies{Default: numberpool.DefaultPolicy}
	replicas := []*postgres.Store{openStore(t, url, clock, policies), openStore(t, url, clock, policies)}
	ctx := t.Context()

	const e164 = "+14155550100"
	if _, err := replicas[0].CreateAccount(ctx, "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	number := numberpool.Number{
		E164: e164, Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusActive,
		AccountID: "acc_a", PurchasedAt: clock.Now().Add(-24 * time.Hour), TrunkID: "trunk_abc123",
	}
	if _, err := replicas[1].ImportNumbers(ctx, slices.Values([]numberpool.Number{number})); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}

	rounds := []struct {
		name       string
		try        func(s *postgres.Store) error
		wantStatus numberpool.Status
		wantTrunk  string
	}{
		{"release", func(s *postgres.Store) error {
			_, err := s.ReleaseNumber(ctx, "acc_a", e164)
			return err
		}, numberpool.StatusReleased, ""},
		{"cancel", func(s *postgres.Store) error {
			_, err := s.CancelRelease(ctx, "acc_a", e164)
			return err
		}, numberpool.StatusActive, "trunk_abc123"},
	}
	for _, round := range rounds {
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				errs[i] = round.try(replicas[i%len(replicas)])
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
				t.Errorf("%s: unexpected error: %v", round.name, err)
			}
		}
		if wins != 1 || conflicts != racers-1 {
			t.Errorf("%s: %d succeeded and %d got CONFLICT, want 1 and %d", round.name, wins, conflicts, racers-1)
		}

		n, err := replicas[0].GetNumber(ctx, "acc_a", e164)
		if err != nil {
			t.Fatalf("%s: GetNumber: %v", round.name, err)
		}
		if n.Status != round.wantStatus || n.TrunkID != round.wantTrunk {
			t.Errorf("%s: number is %s on trunk %q, want %s on trunk %q", round.name, n.Status, n.TrunkID, round.wantStatus, round.wantTrunk)
		}
	}

	charges, err := replicas[1].ListCharges(ctx, "acc_a")
	if err != nil {
		t.Fatalf("ListCharges: %v", err)
	}
	if len(charges) != 1 || charges[0].VoidedAt.IsZero() {
		t.Errorf("ListCharges = %+v, want one voided charge", charges)
	}
}
