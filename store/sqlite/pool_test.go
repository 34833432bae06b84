package sqlite

import (
	"slices"
	"strings"
	"testing"
	"time"

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
// or a sort.
func TestSearchPlans(t *testing.T) {
	s, _ := newTestStore(t)
	tests := []struct {
		name   string
		filter numberpool.SearchFilter
		index  string
	}{
		{"country", numberpool.SearchFilter{Country: "US"}, "numbers_pool"},
		{"area code", numberpool.SearchFilter{Country: "US", AreaCode: "415"}, "numbers_pool"},
		{"starts_with", numberpool.SearchFilter{Country: "US", StartsWith: "415555"}, "numbers_pool"},
		{"contains", numberpool.SearchFilter{Country: "US", Contains: "5*55"}, "numbers_pool"},
		{"type", numberpool.SearchFilter{Country: "US", Type: numberpool.TypeTollFree}, "numbers_pool_type"},
		{"everything", numberpool.SearchFilter{Country: "US", AreaCode: "415", Contains: "12", EndsWith: "4",
			Capabilities: []numberpool.Capability{numberpool.CapabilitySMS}}, "numbers_pool"},
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
			if !strings.Contains(plan, "USING COVERING INDEX "+tt.index+" ") && !strings.Contains(plan, "USING INDEX "+tt.index+" ") {
				t.Errorf("plan does not read index %s:\n%s", tt.index, plan)
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
		})
	}
}
