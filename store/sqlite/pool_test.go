package sqlite

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"

	"numberpool"
)

// TestNSNColumn checks the generated national number column against the
// phone number metadata, for an example number of every region.
func TestNSNColumn(t *testing.T) {
	s, _ := newTestStore(t)

	want := map[string]string{}
	var ns []numberpool.Number
	for region := range phonenumbers.GetSupportedRegions() {
		example := phonenumbers.GetExampleNumber(region)
		if example == nil {
			continue
		}
		e164 := phonenumbers.Format(example, phonenumbers.E164)
		if _, dup := want[e164]; dup {
			continue
		}
		want[e164] = phonenumbers.GetNationalSignificantNumber(example)
		ns = append(ns, numberpool.Number{E164: e164, Country: region, Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable})
	}
	if len(ns) < 200 {
		t.Fatalf("only %d example numbers, want one for each of about 240 regions", len(ns))
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}

	rows, err := s.reader.QueryContext(t.Context(), `SELECT e164, nsn FROM numbers`)
	if err != nil {
		t.Fatalf("select nsn: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e164, nsn string
		if err := rows.Scan(&e164, &nsn); err != nil {
			t.Fatalf("scan: %v", err)
		}
		if nsn != want[e164] {
			t.Errorf("nsn of %s = %q, want %q", e164, nsn, want[e164])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
}

// TestReturnedAt checks that a purchase of a cooled-off number and a sweep
// both record when the release's number returned to the pool.
func TestReturnedAt(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155550001", "+14155550002")
	for _, e164 := range []string{"+14155550001", "+14155550002"} {
		if _, err := s.ReleaseNumber(t.Context(), "acc_a", e164); err != nil {
			t.Fatalf("ReleaseNumber(%s): %v", e164, err)
		}
	}
	end := t0.Add(30 * 24 * time.Hour)
	clock.Set(end.Add(time.Minute))

	if _, err := s.PurchaseNumber(t.Context(), "acc_a", "+14155550001", "US"); err != nil {
		t.Fatalf("PurchaseNumber: %v", err)
	}
	if n, err := s.Sweep(t.Context(), 10); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1, nil", n, err)
	}

	db := openFile(t, s.path)
	got := queryInt(t, db, `SELECT count(*) FROM releases WHERE returned_at = ?`, end.Add(time.Minute).Unix())
	if got != 2 {
		t.Errorf("releases with returned_at set = %d, want 2", got)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM numbers WHERE status = 'released'`); n != 0 {
		t.Errorf("released rows after the sweep = %d, want 0", n)
	}
}

// TestSearchPlans shows the plans that searches rely on: each reads its page
// of available numbers from an index in order, without a scan of the table
// or a sort. So do the queries of a skip scan, for the searches it serves.
func TestSearchPlans(t *testing.T) {
	s, _ := newTestStore(t)
	const (
		ranges    = "SEARCH n USING INDEX numbers_pool (country=? AND nsn>? AND nsn<?)"
		gramKey   = "SEARCH g USING PRIMARY KEY (gram=? AND country=?)"
		gramRange = "SEARCH g USING PRIMARY KEY (gram=? AND country=? AND nsn>? AND nsn<?)"
	)
	tests := []struct {
		name      string
		filter    numberpool.SearchFilter
		read      string   // the step that reads available numbers
		skipReads []string // the steps of a skip scan that read them
	}{
		{"country", numberpool.SearchFilter{Country: "US"}, "USING INDEX numbers_pool ", nil},
		{"area code", numberpool.SearchFilter{Country: "US", AreaCode: "415"}, "USING INDEX numbers_pool ", nil},
		{"starts_with", numberpool.SearchFilter{Country: "US", StartsWith: "415555"}, "USING INDEX numbers_pool ", nil},
		{"contains", numberpool.SearchFilter{Country: "US", Contains: "5*55"}, "USING INDEX numbers_pool ", []string{ranges}},
		{"contains gram", numberpool.SearchFilter{Country: "US", Contains: "5551"}, gramKey, []string{ranges, gramRange}},
		{"contains gram and type", numberpool.SearchFilter{Country: "US", Contains: "1*5551", Type: numberpool.TypeLocal},
			gramKey, []string{ranges, gramRange}},
		{"type", numberpool.SearchFilter{Country: "US", Type: numberpool.TypeTollFree}, "USING INDEX numbers_pool_type ", nil},
		{"type mobile", numberpool.SearchFilter{Country: "GB", Type: numberpool.TypeMobile, StartsWith: "7"}, "USING INDEX numbers_pool_type ", nil},
		{"type local", numberpool.SearchFilter{Country: "US", Type: numberpool.TypeLocal}, "USING INDEX numbers_pool ", nil},
		{"ends_with", numberpool.SearchFilter{Country: "US", AreaCode: "415", EndsWith: "777", Type: numberpool.TypeLocal},
			"USING INDEX numbers_pool ", []string{ranges}},
		{"everything", numberpool.SearchFilter{Country: "US", AreaCode: "415", Contains: "12", EndsWith: "4",
			Capabilities: []numberpool.Capability{numberpool.CapabilitySMS}}, "USING INDEX numbers_pool ", []string{ranges}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.filter
			filter.Page, filter.PerPage = 1, 20
			plan, err := s.ExplainSearch(t.Context(), filter)
			if err != nil {
				t.Fatalf("ExplainSearch: %v", err)
			}
			t.Logf("plan of %+v:\n%s", filter, plan)
			if !strings.Contains(plan, tt.read) {
				t.Errorf("plan does not contain %q:\n%s", tt.read, plan)
			}
			if !strings.Contains(plan, "numbers_cooling_off") {
				t.Errorf("plan does not read index numbers_cooling_off:\n%s", plan)
			}
			// The arm of available numbers, the large one, must neither scan
			// nor sort. The arm of cooled-off numbers holds few rows and may
			// sort them.
			available, _, _ := strings.Cut(plan, "RIGHT")
			for _, bad := range []string{"SCAN numbers", "TEMP B-TREE"} {
				if strings.Contains(available, bad) {
					t.Errorf("plan of available numbers contains %q:\n%s", bad, plan)
				}
			}
			checkSkipScanPlan(t, plan, tt.skipReads)
		})
	}
}

// checkSkipScanPlan checks that plan has the plans of a skip scan when reads
// name their steps, and that they contain those steps and no sort.
func checkSkipScanPlan(t *testing.T, plan string, reads []string) {
	t.Helper()
	_, skipPlan, ok := strings.Cut(plan, "skip scan ranges:")
	if ok != (len(reads) > 0) {
		t.Fatalf("plan has a skip scan: %t, want %t:\n%s", ok, len(reads) > 0, plan)
	}
	for _, read := range reads {
		if !strings.Contains(skipPlan, read) {
			t.Errorf("skip scan plan does not contain %q:\n%s", read, skipPlan)
		}
	}
	if strings.Contains(skipPlan, "TEMP B-TREE") {
		t.Errorf("skip scan plan sorts:\n%s", skipPlan)
	}
}

// TestIndexGrams runs contains searches on numbers whose 4-grams are
// pending, then on the same numbers indexed: the pages must not change.
func TestIndexGrams(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155555550", "+14155551234")
	if _, err := s.ReleaseNumber(t.Context(), "acc_a", "+14155551234"); err != nil {
		t.Fatalf("ReleaseNumber: %v", err)
	}
	var ns []numberpool.Number
	for i := range 300 {
		ns = append(ns, numberpool.Number{E164: fmt.Sprintf("+1212555%04d", i*7), Country: "US",
			Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
	clock.Set(t0.Add(31 * 24 * time.Hour))

	queries := []string{"5555", "1234", "2555", "0*21", "55501", "9999"}
	search := func() map[string][]string {
		found := map[string][]string{}
		for _, contains := range queries {
			page, err := s.SearchInventory(t.Context(), numberpool.SearchFilter{Country: "US", Contains: contains, Page: 1, PerPage: 100})
			if err != nil {
				t.Fatalf("SearchInventory(contains %s): %v", contains, err)
			}
			for _, n := range page.Numbers {
				found[contains] = append(found[contains], n.E164)
			}
			found[contains+" total"] = []string{fmt.Sprint(page.Total)}
		}
		return found
	}

	pending := search()
	if len(pending["2555"]) != 100 || !slices.Contains(pending["1234"], "+14155551234") {
		t.Fatalf("searches before indexing found too little: %v", pending)
	}
	for {
		n, err := s.IndexGrams(t.Context(), 64)
		if err != nil {
			t.Fatalf("IndexGrams: %v", err)
		}
		if n == 0 {
			break
		}
	}

	db := openFile(t, s.path)
	if n := queryInt(t, db, `SELECT count(*) FROM gram_pending`); n != 0 {
		t.Errorf("pending numbers after indexing = %d, want 0", n)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT e164) FROM pool_grams`); n != 302 {
		t.Errorf("numbers in pool_grams = %d, want 302", n)
	}
	if d := cmp.Diff(pending, search()); d != "" {
		t.Errorf("search results changed by indexing (-pending +indexed):\n%s", d)
	}
}

// TestSearchScanBudget lowers the budget of counts that test contains on
// every candidate, whether they read the numbers or the entries of a
// 4-gram, and checks that such a count stops there, reports its total as
// capped, and never reports less than the page shows.
func TestSearchScanBudget(t *testing.T) {
	defer func(budget int) { scanBudget = budget }(scanBudget)
	scanBudget = 50

	s, _ := newTestStore(t)
	var ns []numberpool.Number
	for i := range 120 {
		ns = append(ns, numberpool.Number{E164: fmt.Sprintf("+1212555%04d", i), Country: "US",
			Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
	if n, err := s.IndexGrams(t.Context(), len(ns)); err != nil || n != len(ns) {
		t.Fatalf("IndexGrams = %d, %v, want %d numbers indexed", n, err, len(ns))
	}

	tests := []struct {
		name    string
		filter  numberpool.SearchFilter
		total   int
		capped  bool
		numbers int
		budget  int // 0 means 50
	}{
		// 0*1 matches 29 of the 120 numbers, 14 of them among the first 50.
		// The count stops there, but the page proves more, a short page
		// proves the exact total, and so does a count of the matches
		// before an empty page.
		{"short page", numberpool.SearchFilter{Country: "US", Contains: "0*1", Page: 1, PerPage: 100}, 29, false, 29, 0},
		{"second page", numberpool.SearchFilter{Country: "US", Contains: "0*1", Page: 2, PerPage: 10}, 20, true, 10, 0},
		{"first page", numberpool.SearchFilter{Country: "US", Contains: "0*1", Page: 1, PerPage: 5}, 14, true, 5, 0},
		{"page past the end", numberpool.SearchFilter{Country: "US", Contains: "0*1", Page: 20, PerPage: 10}, 29, false, 0, 0},
		{"within budget", numberpool.SearchFilter{Country: "US", StartsWith: "212555001", Contains: "0*1", Page: 1, PerPage: 100}, 10, false, 10, 0},
		{"gram within budget", numberpool.SearchFilter{Country: "US", Contains: "5501", Page: 1, PerPage: 100}, 20, false, 20, 0},
		// Every number contains 5550, and 5550*1 matches 20 of them, 10 among
		// the first 50 entries of the 4-gram.
		{"gram short page", numberpool.SearchFilter{Country: "US", Contains: "5550*1", Page: 1, PerPage: 100}, 20, false, 20, 0},
		{"gram first page", numberpool.SearchFilter{Country: "US", Contains: "5550*1", Page: 1, PerPage: 5}, 10, true, 5, 0},
		// A budget of exactly the 120 candidates reads them all, so the
		// count is exact.
		{"budget of every candidate", numberpool.SearchFilter{Country: "US", Contains: "0*1", Page: 1, PerPage: 5}, 29, false, 5, 120},
		{"gram budget of every entry", numberpool.SearchFilter{Country: "US", Contains: "5550*1", Page: 1, PerPage: 5}, 20, false, 5, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scanBudget = 50
			if tt.budget != 0 {
				scanBudget = tt.budget
			}
			page, err := s.SearchInventory(t.Context(), tt.filter)
			if err != nil {
				t.Fatalf("SearchInventory: %v", err)
			}
			if len(page.Numbers) != tt.numbers {
				t.Errorf("page holds %d numbers, want %d", len(page.Numbers), tt.numbers)
			}
			if page.Total != tt.total || page.TotalCapped != tt.capped {
				t.Errorf("total = %d (capped %t), want %d (capped %t)", page.Total, page.TotalCapped, tt.total, tt.capped)
			}
		})
	}
}

// TestSearchSQLShape checks that filter values reach SQLite only as bound
// parameters: searches that differ in values alone run the same SQL text.
func TestSearchSQLShape(t *testing.T) {
	pairs := [][2]numberpool.SearchFilter{
		{{Country: "US", AreaCode: "415"}, {Country: "GB", AreaCode: "20"}},
		{{Country: "US", Contains: "1234"}, {Country: "US", Contains: "9*87654"}},
		{{Country: "US", Contains: "5*5"}, {Country: "US", Contains: "0*0*0"}},
		{{Country: "US", StartsWith: "+1415", EndsWith: "99"}, {Country: "US", StartsWith: "650", EndsWith: "1"}},
		{{Country: "US", Type: numberpool.TypeMobile}, {Country: "US", Type: numberpool.TypeTollFree}},
	}
	for _, pair := range pairs {
		var texts [2]searchSQL
		for i, f := range pair {
			f.Page, f.PerPage = 1, 20
			q, err := f.Query()
			if err != nil {
				t.Fatalf("Query(%+v): %v", f, err)
			}
			texts[i] = buildSearch(q)
		}
		if texts[0].page != texts[1].page || texts[0].count != texts[1].count || texts[0].scanCount != texts[1].scanCount {
			t.Errorf("searches %+v and %+v run different SQL", pair[0], pair[1])
		}
	}
}
