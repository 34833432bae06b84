package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"numberpool"
	"numberpool/store/postgres"
	"numberpool/store/postgres/pgtest"
)

// TestSweepReplicas runs the sweepers of three stores on one database at
// once, as three replicas would: together they return every cooled-off
// number exactly once.
func TestSweepReplicas(t *testing.T) {
	url := pgtest.NewDatabase(t)
	t0 := time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)
	clock := numberpool.NewManualClock(t0)
	policies := numberpool.Policies{Default: numberpool.DefaultPolicy}
	first := openStore(t, url, clock, policies)

	const count = 600
	if _, err := first.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	var ns []numberpool.Number
	for i := range count {
		ns = append(ns, numberpool.Number{
			E164: fmt.Sprintf("+1415555%04d", i), Country: "US", Type: numberpool.TypeLocal,
			Status: numberpool.StatusReleased, AccountID: "acc_a", PurchasedAt: t0.Add(-400 * 24 * time.Hour),
			ReleasedAt: t0.Add(-40 * 24 * time.Hour), AvailableAfter: t0.Add(-time.Duration(i) * time.Second),
		})
	}
	if _, err := first.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}

	replicas := []*postgres.Store{first, openStore(t, url, clock, policies), openStore(t, url, clock, policies)}
	returned := make([]int, len(replicas))
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Go(func() {
			// Each replica sweeps until a batch comes back empty, at most
			// count batches.
			for range count {
				n, err := r.Sweep(t.Context(), 25)
				if err != nil {
					t.Errorf("replica %d: Sweep: %v", i, err)
					return
				}
				returned[i] += n
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()

	total := 0
	for _, n := range returned {
		total += n
	}
	if total != count {
		t.Errorf("replicas returned %v numbers, %d in all, want %d in all", returned, total, count)
	}
	page, err := first.SearchInventory(t.Context(), numberpool.SearchFilter{Country: "US", Page: 1, PerPage: 20})
	if err != nil {
		t.Fatalf("SearchInventory: %v", err)
	}
	if page.Total != count {
		t.Errorf("search total = %d, want %d", page.Total, count)
	}
}
