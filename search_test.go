package numberpool

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSearchFilterQuery(t *testing.T) {
	tests := []struct {
		name   string
		filter SearchFilter
		want   SearchQuery
	}{
		{"country only", SearchFilter{Country: "US"}, SearchQuery{Country: "US"}},
		{"area code", SearchFilter{Country: "US", AreaCode: "415"}, SearchQuery{Country: "US", NSNPrefix: "415"}},
		{"starts_with longer than area code", SearchFilter{Country: "US", AreaCode: "415", StartsWith: "415555"},
			SearchQuery{Country: "US", NSNPrefix: "415555"}},
		{"area code longer than starts_with", SearchFilter{Country: "US", AreaCode: "415", StartsWith: "41"},
			SearchQuery{Country: "US", NSNPrefix: "415"}},
		{"starts_with country code", SearchFilter{Country: "GB", StartsWith: "+44207"},
			SearchQuery{Country: "GB", NSNPrefix: "207"}},
		{"starts_with part of country code", SearchFilter{Country: "GB", StartsWith: "+4"}, SearchQuery{Country: "GB"}},
		{"contains", SearchFilter{Country: "US", Contains: "55*5"},
			SearchQuery{Country: "US", NSNPatterns: []string{"%55_5%"}}},
		{"contains gram", SearchFilter{Country: "US", Contains: "12*4567"},
			SearchQuery{Country: "US", NSNPatterns: []string{"%12_4567%"}, Gram: "4567"}},
		{"contains country code", SearchFilter{Country: "US", Contains: "+1415*5"},
			SearchQuery{Country: "US", NSNPrefix: "415", NSNPatterns: []string{"415_5%"}}},
		{"contains country code only", SearchFilter{Country: "US", Contains: "+1"}, SearchQuery{Country: "US"}},
		{"ends_with", SearchFilter{Country: "US", EndsWith: "1234"},
			SearchQuery{Country: "US", NSNPatterns: []string{"%1234"}}},
		{"ends_with whole number", SearchFilter{Country: "US", EndsWith: "+14155551234"},
			SearchQuery{Country: "US", NSNPrefix: "4155551234", NSNPatterns: []string{"4155551234"}}},
		{"paging", SearchFilter{Country: "US", Page: 3, PerPage: 25},
			SearchQuery{Country: "US", Offset: 50, Limit: 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			want := tt.want
			if f.Page == 0 {
				f.Page, f.PerPage = 1, 20
				want.Limit = 20
			}
			got, err := f.Query()
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("query (-want +got):\n%s", d)
			}
		})
	}
}

func TestSearchFilterQueryRejects(t *testing.T) {
	tests := []struct {
		name   string
		filter SearchFilter
		fields []string
	}{
		{"letters", SearchFilter{Country: "US", StartsWith: "CALL"}, []string{"starts_with"}},
		{"keypad word", SearchFilter{Country: "US", Contains: "FLOWERS"}, []string{"contains"}},
		{"wildcard in ends_with", SearchFilter{Country: "US", EndsWith: "12*"}, []string{"ends_with"}},
		{"plus alone", SearchFilter{Country: "US", Contains: "+"}, []string{"contains"}},
		{"plus inside", SearchFilter{Country: "US", Contains: "41+5"}, []string{"contains"}},
		{"too long", SearchFilter{Country: "US", Contains: "1234567890123456"}, []string{"contains"}},
		{"area code too long", SearchFilter{Country: "US", AreaCode: "12345678"}, []string{"area_code"}},
		{"US area code of 4 digits", SearchFilter{Country: "US", AreaCode: "4155"}, []string{"area_code"}},
		{"CA area code of 2 digits", SearchFilter{Country: "CA", AreaCode: "41"}, []string{"area_code"}},
		{"lower-case country", SearchFilter{Country: "us"}, []string{"country"}},
		{"page 0", SearchFilter{Country: "US", Page: -1}, []string{"page"}},
		{"contains other country code", SearchFilter{Country: "US", Contains: "+44*1"}, []string{"contains"}},
		{"contains against area code", SearchFilter{Country: "US", AreaCode: "212", Contains: "+1415"}, []string{"contains"}},
		{"ends_with country code only", SearchFilter{Country: "GB", EndsWith: "+44"}, []string{"ends_with"}},
		{"ends_with part of country code", SearchFilter{Country: "GB", EndsWith: "+4"}, []string{"ends_with"}},
		{"ends_with other country code", SearchFilter{Country: "GB", EndsWith: "+14155551234"}, []string{"ends_with"}},
		// Several invalid fields at once each get a detail.
		{"type and foreign ends_with", SearchFilter{Country: "US", Type: "zz", EndsWith: "+44"}, []string{"type", "ends_with"}},
		{"type and bare country code", SearchFilter{Country: "US", Type: "zz", EndsWith: "+1"}, []string{"type", "ends_with"}},
		{"type and conflict", SearchFilter{Country: "US", Type: "zz", AreaCode: "646", Contains: "+16160"}, []string{"type", "contains"}},
		{"area code and foreign ends_with", SearchFilter{Country: "US", AreaCode: "64", EndsWith: "+44"}, []string{"area_code", "ends_with"}},
		{"three foreign filters", SearchFilter{Country: "US", StartsWith: "+44", Contains: "+44", EndsWith: "+44"}, []string{"starts_with", "contains", "ends_with"}},
		{"malformed and conflicting", SearchFilter{Country: "US", AreaCode: "212", StartsWith: "+1415", Contains: "abc"}, []string{"contains", "starts_with"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			if f.Page == 0 {
				f.Page = 1
			}
			f.PerPage = 20
			_, err := f.Query()
			e, ok := err.(*Error)
			if !ok || e.Code != CodeValidationFailed {
				t.Fatalf("Query error = %v, want VALIDATION_FAILED", err)
			}
			var fields []string
			for _, d := range e.Details {
				fields = append(fields, d.Field)
			}
			if d := cmp.Diff(tt.fields, fields); d != "" {
				t.Errorf("detail fields (-want +got):\n%s", d)
			}
		})
	}
}

func TestPlanPurchase(t *testing.T) {
	now := time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)
	n := Number{E164: "+14155551234", Country: "US", Status: StatusAvailable}
	owned := n
	owned.Status, owned.AccountID, owned.PurchasedAt = StatusActive, "acc_a", now.Add(-24*time.Hour)
	released := owned
	released.Status, released.ReleasedAt, released.AvailableAfter = StatusReleased, now.Add(-time.Hour), now.Add(time.Hour)
	ended := released
	ended.AvailableAfter = now

	tests := []struct {
		name    string
		n       Number
		account string
		country string
		code    Code // empty for success
	}{
		{"available", n, "acc_b", "US", ""},
		{"wrong country", n, "acc_b", "CA", CodeValidationFailed},
		{"owned", owned, "acc_b", "US", CodeConflict},
		{"owned by self", owned, "acc_a", "US", CodeConflict},
		{"cooling off", released, "acc_b", "US", CodeConflict},
		{"cooling off ended", ended, "acc_a", "US", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := PlanPurchase(tt.n, tt.account, tt.country, now)
			if tt.code == "" && err != nil {
				t.Fatalf("PlanPurchase = %v, want nil", err)
			}
			if tt.code != "" && ErrorCode(err) != tt.code {
				t.Fatalf("PlanPurchase = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestSearchFilterConflictQuotesValue(t *testing.T) {
	f := SearchFilter{Country: "US", AreaCode: "646", Contains: "+16160", Page: 1, PerPage: 20}

	_, err := f.Query()
	if err == nil {
		t.Fatal("Query accepted contains +16160 with area code 646")
	}
	if want := `invalid contains "+16160"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to quote the value as given: %s", err, want)
	}
}

// TestPageTotal checks PageTotal with PageProvesTotal and PageTotalUnproven,
// which decide whether a store needs a count at all and whether it must
// count the matches before an empty page.
func TestPageTotal(t *testing.T) {
	tests := []struct {
		name     string
		q        SearchQuery
		counted  int
		stopped  bool
		onPage   int
		total    int
		capped   bool
		proves   bool
		unproven bool
	}{
		{"exact count", pageAt(0), 47, false, 20, 47, false, false, false},
		{"short last page", pageAt(40), 47, false, 7, 47, false, true, false},
		{"no match", pageAt(0), 0, false, 0, 0, false, true, false},
		{"at the cap", pageAt(0), SearchTotalCap + 1, false, 20, SearchTotalCap, true, false, false},
		{"page past the cap", pageAt(1100), SearchTotalCap + 1, false, 20, 1120, true, false, false},
		{"short page past the cap", pageAt(1100), SearchTotalCap + 1, false, 5, 1105, false, true, false},
		{"empty page past the cap", pageAt(2000), SearchTotalCap + 1, false, 0, SearchTotalCap, true, false, true},
		{"stopped count", pageAt(0), 14, true, 20, 20, true, false, false},
		{"stopped count above the page", pageAt(0), 300, true, 20, 300, true, false, false},
		{"stopped count with a short page", pageAt(0), 14, true, 17, 17, false, true, false},
		{"stopped count with an empty first page", pageAt(0), 0, true, 0, 0, false, true, false},
		{"stopped count past the end", pageAt(180), 14, true, 0, 14, true, false, true},
		{"empty page past an exact end", pageAt(60), 47, false, 0, 47, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, capped := PageTotal(tt.q, tt.counted, tt.stopped, tt.onPage)
			if total != tt.total {
				t.Errorf("total = %d, want %d", total, tt.total)
			}
			if capped != tt.capped {
				t.Errorf("capped = %t, want %t", capped, tt.capped)
			}
			if got := PageProvesTotal(tt.q, tt.onPage); got != tt.proves {
				t.Errorf("PageProvesTotal = %t, want %t", got, tt.proves)
			}
			if got := PageTotalUnproven(tt.q, tt.counted, tt.stopped, tt.onPage); got != tt.unproven {
				t.Errorf("PageTotalUnproven = %t, want %t", got, tt.unproven)
			}
		})
	}
}

// pageAt returns a query for the page of 20 numbers that starts at offset.
func pageAt(offset int) SearchQuery {
	return SearchQuery{Offset: offset, Limit: 20}
}
