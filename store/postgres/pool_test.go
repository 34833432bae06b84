package postgres_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
	importCooledOff(t, first, t0, count)

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

// importCooledOff adds count numbers that account acc_a released and whose
// cooling-off period ended before now.
func importCooledOff(t *testing.T, s *postgres.Store, now time.Time, count int) {
	t.Helper()
	if _, err := s.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}

	var ns []numberpool.Number
	for i := range count {
		ns = append(ns, numberpool.Number{
			E164: fmt.Sprintf("+1415555%04d", i), Country: "US", Type: numberpool.TypeLocal,
			Status: numberpool.StatusReleased, AccountID: "acc_a", PurchasedAt: now.Add(-400 * 24 * time.Hour),
			ReleasedAt: now.Add(-40 * 24 * time.Hour), AvailableAfter: now.Add(-time.Duration(i) * time.Second),
		})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
}

// TestSweepPlan checks that the sweeper finds the rows it returns by primary
// key while the statistics still count no released number. A plan that read
// numbers_cooling_off took 0.6 s for a batch of 500 among 5,000.
func TestSweepPlan(t *testing.T) {
	url := pgtest.NewDatabase(t)
	t0 := time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)
	s := openStore(t, url, numberpool.NewManualClock(t0), numberpool.Policies{Default: numberpool.DefaultPolicy})
	fillPool(t, url, 20_000)
	importCooledOff(t, s, t0, 600)

	plan, err := s.ExplainSweep(t.Context(), 500)
	if err != nil {
		t.Fatalf("ExplainSweep: %v", err)
	}

	root := decodePlan(t, plan)
	// The CTEs are init plans of the update, and the rest is its join.
	nodes := []planNode{root}
	scans := 0
	for len(nodes) > 0 {
		node := nodes[len(nodes)-1]
		nodes = nodes[:len(nodes)-1]
		for _, child := range node.Plans {
			if child.ParentRelationship != "InitPlan" {
				nodes = append(nodes, child)
			}
		}
		if node.Relation != "numbers" || node.NodeType == "ModifyTable" {
			continue
		}
		scans++
		if node.Index != "numbers_pkey" {
			t.Errorf("the update reads numbers by %s %q, want numbers_pkey:\n%s", node.NodeType, node.Index, plan)
		}
	}
	if scans != 1 {
		t.Errorf("the update reads numbers %d times, want once:\n%s", scans, plan)
	}
}

// TestSearchPlans checks on a pool of 20,000 numbers that a contains search
// with four consecutive digits reads its candidates from the trigram index
// numbers_pool_digits, not by a scan of numbers, and that an area code
// search reads numbers_pool. (On so small a pool a search of the whole
// country sorts a scan of the table, so no case checks it.)
func TestSearchPlans(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := openStore(t, url, numberpool.NewManualClock(time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)),
		numberpool.Policies{Default: numberpool.DefaultPolicy})
	fillPool(t, url, 20_000)

	tests := []struct {
		name   string
		filter numberpool.SearchFilter
		index  string // the index that available numbers come from
	}{
		{"contains gram", numberpool.SearchFilter{Country: "US", Contains: "9876"}, "numbers_pool_digits"},
		{"contains wildcard and gram", numberpool.SearchFilter{Country: "US", Contains: "1*9876"}, "numbers_pool_digits"},
		{"contains gram and area code", numberpool.SearchFilter{Country: "US", AreaCode: "415", Contains: "9876"}, "numbers_pool_digits"},
		{"area code", numberpool.SearchFilter{Country: "US", AreaCode: "415"}, "numbers_pool"},
		{"area code and local", numberpool.SearchFilter{Country: "US", AreaCode: "415", Type: numberpool.TypeLocal}, "numbers_pool"},
		{"toll-free", numberpool.SearchFilter{Country: "US", Type: numberpool.TypeTollFree}, "numbers_pool_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.filter
			filter.Page, filter.PerPage = 1, 20
			// pgx switches to a prepared statement's generic plan after a
			// few runs unless the search forbids it, so explain several.
			for range 8 {
				plan, err := s.ExplainSearch(t.Context(), filter)
				if err != nil {
					t.Fatalf("ExplainSearch: %v", err)
				}
				indexes, seqScans := planScans(t, plan)
				if seqScans > 0 {
					t.Fatalf("plan scans numbers sequentially:\n%s", plan)
				}
				if !slices.Contains(indexes, tt.index) {
					t.Fatalf("plan reads indexes %v, want %s among them:\n%s", indexes, tt.index, plan)
				}
			}
		})
	}
}

// fillPool adds n available US numbers to the database at url, spread over
// ten area codes, and updates the planner's statistics.
func fillPool(tb testing.TB, url string, n int) {
	tb.Helper()
	conn, err := pgx.Connect(tb.Context(), url)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer conn.Close(tb.Context())

	_, err = conn.Exec(tb.Context(), `
		INSERT INTO numbers (e164, country, type, status, capabilities, created_at, updated_at)
		SELECT '+1' || (410 + i % 10) || lpad((2000000 + i * 397 % 8000000)::text, 7, '0'), 'US', 'local', 'available', 3, 0, 0
		FROM generate_series(0, $1 - 1) AS i`, n)
	if err != nil {
		tb.Fatalf("insert numbers: %v", err)
	}
	if _, err := conn.Exec(tb.Context(), `ANALYZE numbers`); err != nil {
		tb.Fatalf("analyze: %v", err)
	}
}

// planNode is the part of a node of EXPLAIN (FORMAT JSON) that
// TestSearchPlans reads.
type planNode struct {
	NodeType           string     `json:"Node Type"`
	Relation           string     `json:"Relation Name"`
	Index              string     `json:"Index Name"`
	ParentRelationship string     `json:"Parent Relationship"`
	Plans              []planNode `json:"Plans"`
}

// planScans returns the indexes that plan reads and how many sequential
// scans of numbers it has.
func planScans(tb testing.TB, plan string) ([]string, int) {
	tb.Helper()
	var indexes []string
	seqScans := 0
	nodes := []planNode{decodePlan(tb, plan)}
	for len(nodes) > 0 {
		node := nodes[len(nodes)-1]
		nodes = append(nodes[:len(nodes)-1], node.Plans...)
		if node.Index != "" {
			indexes = append(indexes, node.Index)
		}
		if node.NodeType == "Seq Scan" && node.Relation == "numbers" {
			seqScans++
		}
	}
	return indexes, seqScans
}

// decodePlan returns the root node of a plan of EXPLAIN (FORMAT JSON).
func decodePlan(tb testing.TB, plan string) planNode {
	tb.Helper()
	var roots []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &roots); err != nil || len(roots) != 1 {
		tb.Fatalf("decode plan: %v\n%s", err, plan)
	}
	return roots[0].Plan
}
