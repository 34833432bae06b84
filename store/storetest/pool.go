package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"numberpool"
)

func testPool(t *testing.T, newStore Harness, _ config) {
	t.Run("search states", func(t *testing.T) { testSearchStates(t, newStore) })
	t.Run("search paging", func(t *testing.T) { testSearchPaging(t, newStore) })
	t.Run("search filters", func(t *testing.T) { testSearchFilters(t, newStore) })
	t.Run("search invalid", func(t *testing.T) { testSearchInvalid(t, newStore) })
	t.Run("search contains", func(t *testing.T) { testSearchContains(t, newStore) })
	t.Run("search contains pages", func(t *testing.T) { testSearchContainsPages(t, newStore) })
	t.Run("search total cap", func(t *testing.T) { testSearchTotalCap(t, newStore) })
	t.Run("purchase", func(t *testing.T) { testPurchase(t, newStore) })
	t.Run("purchase errors", func(t *testing.T) { testPurchaseErrors(t, newStore) })
	t.Run("purchase after cooling off", func(t *testing.T) { testPurchaseAfterCoolingOff(t, newStore) })
	t.Run("purchase race", func(t *testing.T) { testPurchaseRace(t, newStore) })
	t.Run("sweep", func(t *testing.T) { testSweep(t, newStore) })
}

// available returns an available US local number with a setup fee.
func available(e164 string) numberpool.Number {
	return numberpool.Number{
		E164:         e164,
		Country:      "US",
		Type:         numberpool.TypeLocal,
		Region:       "CA",
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
		MonthlyFee:   115,
		SetupFee:     100,
		Status:       numberpool.StatusAvailable,
	}
}

// releasedBy returns a number of accountID released at releasedAt whose
// cooling-off period ends at availableAfter.
func releasedBy(e164, accountID string, releasedAt, availableAfter time.Time) numberpool.Number {
	n := owned(e164, accountID, releasedAt.Add(-200*day))
	n.Status = numberpool.StatusReleased
	n.ReleasedAt, n.AvailableAfter = releasedAt, availableAfter
	return n
}

// search runs f with page 1 and 100 per page unless f sets them.
func (f *fixture) search(filter numberpool.SearchFilter) numberpool.SearchPage {
	f.t.Helper()
	if filter.Page == 0 {
		filter.Page = 1
	}
	if filter.PerPage == 0 {
		filter.PerPage = 100
	}
	page, err := f.store.SearchInventory(f.ctx, filter)
	if err != nil {
		f.t.Fatalf("SearchInventory(%+v): %v", filter, err)
	}
	return page
}

func testSearchStates(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(
		available(usNumber(1)),
		owned(usNumber(2), "acc_a", t0.Add(-10*day)),
		releasedBy(usNumber(3), "acc_a", t0.Add(-29*day), t0.Add(time.Hour)),
		releasedBy(usNumber(4), "acc_a", t0.Add(-40*day), t0.Add(-10*day)),
	)

	page := f.search(numberpool.SearchFilter{Country: "US"})
	if d := diff([]string{usNumber(1), usNumber(4)}, e164sOf(page.Numbers)); d != "" {
		t.Errorf("numbers found (-want +got):\n%s", d)
	}
	if page.Total != 2 || page.TotalCapped {
		t.Errorf("total = %d (capped %t), want 2 (not capped)", page.Total, page.TotalCapped)
	}

	// The number whose cooling-off period ended has no trace of its owner.
	want := available(usNumber(4))
	want.SetupFee = 0
	want.UpdatedAt = t0
	if len(page.Numbers) == 2 {
		if d := diff(want, page.Numbers[1]); d != "" {
			t.Errorf("cooled-off number (-want +got):\n%s", d)
		}
	}

	// At the end of the cooling-off period, the number is found at once.
	f.clock.Set(t0.Add(time.Hour))
	page = f.search(numberpool.SearchFilter{Country: "US"})
	if d := diff([]string{usNumber(1), usNumber(3), usNumber(4)}, e164sOf(page.Numbers)); d != "" {
		t.Errorf("numbers found at the end of the cooling-off period (-want +got):\n%s", d)
	}
}

// testSearchPaging walks all pages of numbers that share every timestamp, so
// only the order by national number and E.164 keeps the pages apart.
func testSearchPaging(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")

	var all []numberpool.Number
	var want []string
	for i := range 45 {
		// Imported in an order that is neither the E.164 order nor its reverse.
		all = append(all, available(usNumber((i*17)%45)))
		want = append(want, usNumber(i))
	}
	// Cooled off at one instant, these are returned by the same arm of the
	// search as the sweeper has not run.
	for i := range 5 {
		all = append(all, releasedBy(usNumber(100+i), "acc_a", t0.Add(-40*day), t0.Add(-day)))
		want = append(want, usNumber(100+i))
	}
	f.load(all...)

	const perPage = 7
	var got []string
	for page := 1; page <= 8; page++ {
		p := f.search(numberpool.SearchFilter{Country: "US", Page: page, PerPage: perPage})
		if p.Total != 50 {
			t.Errorf("page %d total = %d, want 50", page, p.Total)
		}
		got = append(got, e164sOf(p.Numbers)...)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("numbers over all pages (-want +got):\n%s", d)
	}
}

func testSearchFilters(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	tollFree := available("+18005550123")
	tollFree.Type, tollFree.Region = numberpool.TypeTollFree, ""
	voiceOnly := available("+12125551415")
	voiceOnly.Capabilities = []numberpool.Capability{numberpool.CapabilityVoice}
	gb := available("+442079460141")
	gb.Country, gb.Region = "GB", ""
	f.load(
		available("+14155550123"), available("+14155551234"), available("+14155559999"),
		available("+16504155000"), voiceOnly, tollFree, gb,
	)

	tests := []struct {
		name   string
		filter numberpool.SearchFilter
		want   []string
	}{
		{"country", numberpool.SearchFilter{Country: "GB"}, []string{"+442079460141"}},
		{"area code", numberpool.SearchFilter{Country: "US", AreaCode: "415"},
			[]string{"+14155550123", "+14155551234", "+14155559999"}},
		{"starts with", numberpool.SearchFilter{Country: "US", StartsWith: "41555512"}, []string{"+14155551234"}},
		{"starts with country code", numberpool.SearchFilter{Country: "US", StartsWith: "+1650"}, []string{"+16504155000"}},
		{"starts with area code", numberpool.SearchFilter{Country: "US", AreaCode: "415", StartsWith: "4155559"},
			[]string{"+14155559999"}},
		{"country code only", numberpool.SearchFilter{Country: "GB", StartsWith: "+4"}, []string{"+442079460141"}},
		// "1415" occurs in the E.164 form of every 415 number but in no
		// national number.
		{"contains national", numberpool.SearchFilter{Country: "US", Contains: "1415"}, []string{"+12125551415"}},
		{"contains country code", numberpool.SearchFilter{Country: "US", Contains: "+1415"},
			[]string{"+14155550123", "+14155551234", "+14155559999"}},
		{"contains wildcard", numberpool.SearchFilter{Country: "US", Contains: "5*1*3"},
			[]string{"+14155550123", "+14155551234", "+18005550123"}},
		{"contains all wildcards", numberpool.SearchFilter{Country: "US", Contains: "**********"},
			[]string{"+12125551415", "+14155550123", "+14155551234", "+14155559999", "+16504155000", "+18005550123"}},
		{"contains too long", numberpool.SearchFilter{Country: "US", Contains: "***********"}, []string{}},
		{"ends with", numberpool.SearchFilter{Country: "US", EndsWith: "0123"}, []string{"+14155550123", "+18005550123"}},
		{"ends with whole number", numberpool.SearchFilter{Country: "US", EndsWith: "+14155550123"}, []string{"+14155550123"}},
		{"type", numberpool.SearchFilter{Country: "US", Type: numberpool.TypeTollFree}, []string{"+18005550123"}},
		{"capabilities", numberpool.SearchFilter{Country: "US", AreaCode: "212",
			Capabilities: []numberpool.Capability{numberpool.CapabilitySMS}}, []string{}},
		{"capability held", numberpool.SearchFilter{Country: "US", AreaCode: "212",
			Capabilities: []numberpool.Capability{numberpool.CapabilityVoice}}, []string{"+12125551415"}},
		{"no match", numberpool.SearchFilter{Country: "FR"}, []string{}},
		{"quote is data", numberpool.SearchFilter{Country: "US", Contains: "1' OR '1'='1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.filter
			filter.Page, filter.PerPage = 1, 100
			page, err := f.store.SearchInventory(f.ctx, filter)
			if tt.want == nil {
				wantCode(t, err, numberpool.CodeValidationFailed)
				return
			}
			if err != nil {
				t.Fatalf("SearchInventory: %v", err)
			}
			if d := diff(tt.want, e164sOf(page.Numbers)); d != "" {
				t.Errorf("numbers found (-want +got):\n%s", d)
			}
			if page.Total != len(tt.want) {
				t.Errorf("total = %d, want %d", page.Total, len(tt.want))
			}
		})
	}
}

// testSearchContains follows numbers with four equal digits, which stores
// with a 4-gram index hold once per number, through a purchase, a release
// and a sweep.
func testSearchContains(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	tollFree := available("+18005555555")
	tollFree.Type = numberpool.TypeTollFree
	f.load(available("+12125555555"), available("+14155410123"), tollFree)

	found := func(filter numberpool.SearchFilter) []string {
		t.Helper()
		return e164sOf(f.search(filter).Numbers)
	}
	contains := numberpool.SearchFilter{Country: "US", Contains: "5555"}
	if d := diff([]string{"+12125555555", "+18005555555"}, found(contains)); d != "" {
		t.Errorf("contains 5555 (-want +got):\n%s", d)
	}
	local := numberpool.SearchFilter{Country: "US", Contains: "5555", Type: numberpool.TypeLocal}
	if d := diff([]string{"+12125555555"}, found(local)); d != "" {
		t.Errorf("contains 5555 of type local (-want +got):\n%s", d)
	}
	if page := f.search(local); page.Total != 1 {
		t.Errorf("total of contains 5555 of type local = %d, want 1", page.Total)
	}

	if _, err := f.store.PurchaseNumber(f.ctx, "acc_a", "+12125555555", "US"); err != nil {
		t.Fatalf("PurchaseNumber: %v", err)
	}
	if d := diff([]string{"+18005555555"}, found(contains)); d != "" {
		t.Errorf("contains 5555 after the purchase (-want +got):\n%s", d)
	}

	release := f.release("acc_a", "+12125555555")
	f.clock.Set(release.AvailableAfter)
	if d := diff([]string{"+12125555555", "+18005555555"}, found(contains)); d != "" {
		t.Errorf("contains 5555 at the end of the cooling-off period (-want +got):\n%s", d)
	}
	if n, err := f.store.Sweep(f.ctx, 10); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1, nil", n, err)
	}
	if d := diff([]string{"+12125555555", "+18005555555"}, found(contains)); d != "" {
		t.Errorf("contains 5555 after the sweep (-want +got):\n%s", d)
	}
}

// testSearchContainsPages pages through contains searches whose matches
// are a few numbers among many, some available and some released with their
// cooling-off period over, so that pages mix the two. The pages must list
// each match once, in order, with the right total.
func testSearchContainsPages(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	var ns []numberpool.Number
	for i := range 200 {
		e164 := fmt.Sprintf("+1415%07d", 2_000_000+i*7919%1_000_000)
		// Every ninth number holds 9876, at one of three places of its
		// national number.
		switch {
		case i%9 != 0:
		case i%27 == 0:
			e164 = fmt.Sprintf("+1415%03d9876", i)
		case i%27 == 9:
			e164 = fmt.Sprintf("+1415%d9876%02d", i%10, i%100)
		default:
			e164 = fmt.Sprintf("+14159876%03d", i)
		}
		n := available(e164)
		if i%2 == 0 {
			n = releasedBy(e164, "acc_a", t0.Add(-40*day), t0.Add(-time.Duration(i)*time.Minute))
		}
		ns = append(ns, n)
	}
	f.load(ns...)

	tests := []struct {
		name     string
		contains string
		least    int // the minimum count of matches in the fixture
	}{
		{"4-gram", "9876", 20},
		{"wildcard and 4-gram", "1*9876", 1},
		{"wildcard", "98*6", 20},
		{"no match", "9877", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := matching(ns, tt.contains)
			if len(want) < tt.least {
				t.Fatalf("the fixture has %d numbers that contain %s, want %d or more", len(want), tt.contains, tt.least)
			}
			got := []string{}
			const perPage = 3
			for page := 1; page <= len(ns)/perPage; page++ {
				p := f.search(numberpool.SearchFilter{Country: "US", Contains: tt.contains, Page: page, PerPage: perPage})
				if p.Total != len(want) {
					t.Errorf("page %d: total = %d, want %d", page, p.Total, len(want))
				}
				got = append(got, e164sOf(p.Numbers)...)
				if len(p.Numbers) < perPage {
					break
				}
			}
			if d := diff(want, got); d != "" {
				t.Errorf("numbers over all pages (-want +got):\n%s", d)
			}
		})
	}
}

// matching returns, sorted, the E.164 numbers of US numbers ns whose
// national number contains the digits of contains, where "*" stands for any
// digit.
func matching(ns []numberpool.Number, contains string) []string {
	var matches []string
	for _, n := range ns {
		nsn := strings.TrimPrefix(n.E164, "+1")
		for i := 0; i+len(contains) <= len(nsn); i++ {
			if digitsMatch(nsn[i:i+len(contains)], contains) {
				matches = append(matches, n.E164)
				break
			}
		}
	}
	slices.Sort(matches)
	return matches
}

func digitsMatch(digits, pattern string) bool {
	for i := range len(pattern) {
		if pattern[i] != '*' && pattern[i] != digits[i] {
			return false
		}
	}
	return true
}

func testSearchInvalid(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())

	tests := []struct {
		name   string
		filter numberpool.SearchFilter
		fields []string
	}{
		{"no country", numberpool.SearchFilter{}, []string{"country"}},
		{"unknown country", numberpool.SearchFilter{Country: "XX"}, []string{"country"}},
		{"letters", numberpool.SearchFilter{Country: "US", Contains: "FLOWERS"}, []string{"contains"}},
		{"wildcard in starts_with", numberpool.SearchFilter{Country: "US", StartsWith: "41*"}, []string{"starts_with"}},
		{"plus in area code", numberpool.SearchFilter{Country: "US", AreaCode: "+1415"}, []string{"area_code"}},
		{"other country code", numberpool.SearchFilter{Country: "US", StartsWith: "+44"}, []string{"starts_with"}},
		{"area code conflict", numberpool.SearchFilter{Country: "US", AreaCode: "415", StartsWith: "212"}, []string{"starts_with"}},
		{"type", numberpool.SearchFilter{Country: "US", Type: "landline"}, []string{"type"}},
		{"capability", numberpool.SearchFilter{Country: "US", Capabilities: []numberpool.Capability{"fax"}}, []string{"capabilities"}},
		{"per_page 101", numberpool.SearchFilter{Country: "US", PerPage: 101}, []string{"per_page"}},
		{"several", numberpool.SearchFilter{Country: "US", EndsWith: "12a", AreaCode: "x"}, []string{"area_code", "ends_with"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.filter
			if filter.Page == 0 {
				filter.Page = 1
			}
			if filter.PerPage == 0 {
				filter.PerPage = 20
			}
			_, err := f.store.SearchInventory(f.ctx, filter)
			wantCode(t, err, numberpool.CodeValidationFailed)
			var e *numberpool.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *numberpool.Error", err)
			}
			var fields []string
			for _, d := range e.Details {
				fields = append(fields, d.Field)
			}
			if d := diff(tt.fields, fields); d != "" {
				t.Errorf("error details fields (-want +got):\n%s", d)
			}
		})
	}
}

func testSearchTotalCap(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	var all []numberpool.Number
	for i := range numberpool.SearchTotalCap + 5 {
		all = append(all, available(fmt.Sprintf("+1212555%04d", i)))
	}
	all = append(all, available(usNumber(1)))
	f.load(all...)

	page := f.search(numberpool.SearchFilter{Country: "US", PerPage: 10})
	if page.Total != numberpool.SearchTotalCap || !page.TotalCapped {
		t.Errorf("total = %d (capped %t), want %d (capped)", page.Total, page.TotalCapped, numberpool.SearchTotalCap)
	}
	if len(page.Numbers) != 10 {
		t.Errorf("page holds %d numbers, want 10", len(page.Numbers))
	}

	page = f.search(numberpool.SearchFilter{Country: "US", AreaCode: "415"})
	if page.Total != 1 || page.TotalCapped {
		t.Errorf("total of a narrow search = %d (capped %t), want 1 (not capped)", page.Total, page.TotalCapped)
	}

	// Past the cap, pages prove the total: the short last one and an
	// empty one after it give all 1,006 matches.
	want := len(all)
	for _, tt := range []struct {
		page, numbers, total int
		capped               bool
	}{
		{100, 10, numberpool.SearchTotalCap, true},
		{101, want - numberpool.SearchTotalCap, want, false},
		{102, 0, want, false},
		{1000, 0, want, false},
	} {
		page = f.search(numberpool.SearchFilter{Country: "US", Page: tt.page, PerPage: 10})
		if len(page.Numbers) != tt.numbers {
			t.Errorf("page %d has %d numbers, want %d", tt.page, len(page.Numbers), tt.numbers)
		}
		if page.Total != tt.total || page.TotalCapped != tt.capped {
			t.Errorf("page %d: total = %d (capped %t), want %d (capped %t)",
				tt.page, page.Total, page.TotalCapped, tt.total, tt.capped)
		}
	}
}

func testPurchase(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	free := available(usNumber(2))
	free.SetupFee = 0
	f.load(available(usNumber(1)), free)

	got, err := f.store.PurchaseNumber(f.ctx, "acc_a", usNumber(1), "US")
	if err != nil {
		t.Fatalf("PurchaseNumber: %v", err)
	}
	want := available(usNumber(1))
	want.Status, want.AccountID, want.PurchasedAt, want.UpdatedAt = numberpool.StatusActive, "acc_a", t0, t0
	if d := diff(want, got); d != "" {
		t.Errorf("purchased number (-want +got):\n%s", d)
	}
	if d := diff(want, f.get("acc_a", usNumber(1))); d != "" {
		t.Errorf("stored number (-want +got):\n%s", d)
	}
	wantCharges := []numberpool.Charge{{AccountID: "acc_a", E164: usNumber(1), Kind: numberpool.ChargeSetupFee, Amount: 100, CreatedAt: t0}}
	if d := diff(wantCharges, f.charges("acc_a")); d != "" {
		t.Errorf("charges (-want +got):\n%s", d)
	}

	if _, err := f.store.PurchaseNumber(f.ctx, "acc_a", usNumber(2), "US"); err != nil {
		t.Fatalf("PurchaseNumber without setup fee: %v", err)
	}
	if got := f.charges("acc_a"); len(got) != 1 {
		t.Errorf("charges after a purchase without setup fee = %+v, want only the first", got)
	}
	if got := f.search(numberpool.SearchFilter{Country: "US"}); len(got.Numbers) != 0 {
		t.Errorf("search after both purchases found %v, want nothing", e164sOf(got.Numbers))
	}
	wantOnlyListed(t, f, "acc_a", usNumber(1), usNumber(2))
}

func testPurchaseErrors(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	f.load(
		available(usNumber(1)),
		owned(usNumber(2), "acc_a", t0.Add(-10*day)),
		releasedBy(usNumber(3), "acc_a", t0.Add(-day), t0.Add(29*day)),
	)

	tests := []struct {
		name     string
		account  string
		e164     string
		country  string
		code     numberpool.Code
		contains []string
	}{
		{"not in inventory", "acc_a", usNumber(9), "US", numberpool.CodeNotFound, []string{usNumber(9)}},
		{"country mismatch", "acc_a", usNumber(1), "CA", numberpool.CodeValidationFailed, []string{"CA", "US"}},
		{"owned by other", "acc_b", usNumber(2), "US", numberpool.CodeConflict, []string{usNumber(2)}},
		{"owned by self", "acc_a", usNumber(2), "US", numberpool.CodeConflict, []string{"already active"}},
		{"cooling off", "acc_b", usNumber(3), "US", numberpool.CodeConflict, []string{"2026-05-08T11:45:00Z"}},
		{"cooling off own", "acc_a", usNumber(3), "US", numberpool.CodeConflict,
			[]string{"2026-05-08T11:45:00Z", "/v1/account/acc_a/numbers/" + usNumber(3) + "/cancel-release"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.PurchaseNumber(f.ctx, tt.account, tt.e164, tt.country)
			wantCode(t, err, tt.code)
			for _, s := range tt.contains {
				wantMessageNames(t, err, s)
			}
		})
	}
	if got := f.charges("acc_b"); len(got) != 0 {
		t.Errorf("charges of acc_b = %+v, want none", got)
	}
	if got := f.get("acc_a", usNumber(3)); got.Status != numberpool.StatusReleased {
		t.Errorf("status of the cooling-off number = %s, want released", got.Status)
	}
}

// testPurchaseAfterCoolingOff buys back a released number at the instant its
// cooling-off period ends, with no sweep in between.
func testPurchaseAfterCoolingOff(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(owned(usNumber(1), "acc_a", t0.Add(-300*day)))
	release := f.release("acc_a", usNumber(1))

	f.clock.Set(release.AvailableAfter.Add(-time.Second))
	_, err := f.store.PurchaseNumber(f.ctx, "acc_a", usNumber(1), "US")
	wantCode(t, err, numberpool.CodeConflict)

	f.clock.Set(release.AvailableAfter)
	got, err := f.store.PurchaseNumber(f.ctx, "acc_a", usNumber(1), "US")
	if err != nil {
		t.Fatalf("PurchaseNumber at available_after: %v", err)
	}
	if !got.PurchasedAt.Equal(release.AvailableAfter) || got.Status != numberpool.StatusActive {
		t.Errorf("purchase = %v bought at %s, want active bought at %s", got, got.PurchasedAt, release.AvailableAfter)
	}

	// A fresh purchase starts a fresh term: releasing again owes the fee.
	if p := f.preview("acc_a", usNumber(1)); p.EarlyTerminationFee != numberpool.DefaultPolicy.EarlyTerminationFee {
		t.Errorf("fee after the new purchase = %s, want %s", p.EarlyTerminationFee, numberpool.DefaultPolicy.EarlyTerminationFee)
	}
	if _, err := f.store.CancelRelease(f.ctx, "acc_a", usNumber(1)); !numberpool.IsCode(err, numberpool.CodeConflict) {
		t.Errorf("CancelRelease of the old release = %v, want CONFLICT", err)
	}
	if n, err := f.store.Sweep(f.ctx, 10); err != nil || n != 0 {
		t.Errorf("Sweep after the purchase = %d, %v; want 0, nil", n, err)
	}
}

// testPurchaseRace has two accounts race for one number many times over:
// exactly one wins, and the loser is left with no number and no charge.
func testPurchaseRace(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")
	const rounds = 10
	var all []numberpool.Number
	for i := range rounds {
		all = append(all, available(usNumber(i)))
	}
	f.load(all...)

	wins := map[string][]string{}
	for i := range rounds {
		e164 := usNumber(i)
		winner := raceTwo(t, f, e164)
		wins[winner] = append(wins[winner], e164)
	}

	for _, account := range []string{"acc_a", "acc_b"} {
		wantOnlyListed(t, f, account, wins[account]...)
		charges := f.charges(account)
		var charged []string
		for _, c := range charges {
			charged = append(charged, c.E164)
		}
		slices.Sort(charged)
		if d := diff(wins[account], charged); d != "" {
			t.Errorf("numbers charged to %s (-want +got):\n%s", account, d)
		}
	}
}

// raceTwo lets acc_a and acc_b buy e164 at once and returns the winner.
func raceTwo(t *testing.T, f *fixture, e164 string) string {
	t.Helper()
	accounts := []string{"acc_a", "acc_b"}
	errs := make([]error, len(accounts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, account := range accounts {
		wg.Go(func() {
			<-start
			_, errs[i] = f.store.PurchaseNumber(f.ctx, account, e164, "US")
		})
	}
	close(start)
	wg.Wait()

	winner := ""
	for i, err := range errs {
		switch {
		case err == nil && winner == "":
			winner = accounts[i]
		case err == nil:
			t.Fatalf("both accounts bought %s", e164)
		case !numberpool.IsCode(err, numberpool.CodeConflict):
			t.Fatalf("PurchaseNumber(%s, %s): %v, want success or CONFLICT", accounts[i], e164, err)
		}
	}
	if winner == "" {
		t.Fatalf("neither account bought %s: %v", e164, errs)
	}
	return winner
}

func testSweep(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")
	f.load(
		releasedBy(usNumber(1), "acc_a", t0.Add(-40*day), t0.Add(-3*day)),
		releasedBy(usNumber(2), "acc_a", t0.Add(-40*day), t0.Add(-2*day)),
		releasedBy(usNumber(3), "acc_a", t0.Add(-40*day), t0),
		releasedBy(usNumber(4), "acc_a", t0.Add(-day), t0.Add(time.Second)),
		owned(usNumber(5), "acc_a", t0.Add(-day)),
	)

	counts := []int{}
	for range 3 {
		n, err := f.store.Sweep(f.ctx, 2)
		if err != nil {
			t.Fatalf("Sweep: %v", err)
		}
		counts = append(counts, n)
	}
	if d := diff([]int{2, 1, 0}, counts); d != "" {
		t.Errorf("numbers returned per batch (-want +got):\n%s", d)
	}

	// The number still cooling off stays the account's, one second short of
	// its end.
	if got := f.get("acc_a", usNumber(4)); got.Status != numberpool.StatusReleased {
		t.Errorf("status of the number still cooling off = %s, want released", got.Status)
	}
	page := f.search(numberpool.SearchFilter{Country: "US"})
	if d := diff([]string{usNumber(1), usNumber(2), usNumber(3)}, e164sOf(page.Numbers)); d != "" {
		t.Errorf("numbers in the pool after the sweep (-want +got):\n%s", d)
	}
	for _, n := range page.Numbers {
		if n.Status != numberpool.StatusAvailable || n.AccountID != "" || !n.UpdatedAt.Equal(t0) {
			t.Errorf("swept number = %+v, want available with no account, updated at %s", n, t0)
		}
	}
	wantOnlyListed(t, f, "acc_a", usNumber(4), usNumber(5))

	if _, err := f.store.Sweep(f.ctx, 0); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("Sweep(0) = %v, want an error naming the limit", err)
	}
}
