package storetest

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"numberpool"
)

func testList(t *testing.T, newStore Harness, _ config) {
	t.Run("paging", func(t *testing.T) { testListPaging(t, newStore) })
	t.Run("filters", func(t *testing.T) { testListFilters(t, newStore) })
	t.Run("invalid filter", func(t *testing.T) { testListInvalid(t, newStore) })
	t.Run("suspended", func(t *testing.T) { testListSuspended(t, newStore) })
}

// testListPaging pages through numbers of which most share one purchase
// time, so only the E.164 tie-break keeps the order stable.
func testListPaging(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")

	shared := t0.Add(-10 * day)
	var all []numberpool.Number
	for i := range 45 {
		// Imported in an order that is neither the E.164 order nor its reverse.
		all = append(all, owned(usNumber((i*17)%45), "acc_a", shared))
	}
	for i := range 5 {
		all = append(all, owned(usNumber(100+i), "acc_a", shared.Add(-day)))
	}
	all = append(all, owned(usNumber(200), "acc_b", shared))
	f.load(all...)

	var want []string
	mine := slices.DeleteFunc(slices.Clone(all), func(n numberpool.Number) bool { return n.AccountID != "acc_a" })
	slices.SortFunc(mine, func(a, b numberpool.Number) int {
		return cmp.Or(a.PurchasedAt.Compare(b.PurchasedAt), cmp.Compare(a.E164, b.E164))
	})
	for _, n := range mine {
		want = append(want, n.E164)
	}

	const perPage = 7
	var got []string
	for page := 1; page <= 8; page++ {
		p, err := f.store.ListNumbers(f.ctx, "acc_a", numberpool.NumberFilter{Page: page, PerPage: perPage})
		if err != nil {
			t.Fatalf("ListNumbers page %d: %v", page, err)
		}
		if p.Total != 50 {
			t.Errorf("page %d total = %d, want 50", page, p.Total)
		}
		wantCount := min(perPage, max(0, 50-(page-1)*perPage))
		if len(p.Numbers) != wantCount {
			t.Errorf("page %d holds %d numbers, want %d", page, len(p.Numbers), wantCount)
		}
		got = append(got, e164sOf(p.Numbers)...)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("numbers over all pages (-want +got):\n%s", d)
	}
}

func testListFilters(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")

	bought := t0.Add(-100 * day)
	gb := func(e164 string) numberpool.Number {
		n := owned(e164, "acc_a", bought)
		n.Country, n.Region = "GB", ""
		return n
	}
	ended := owned(usNumber(9), "acc_a", bought)
	ended.Status = numberpool.StatusReleased
	ended.ReleasedAt, ended.AvailableAfter = t0.Add(-40*day), t0.Add(-10*day)
	f.load(
		owned(usNumber(1), "acc_a", bought), owned(usNumber(2), "acc_a", bought),
		owned(usNumber(3), "acc_a", bought), gb("+442079460001"), gb("+442079460002"),
		ended, owned(usNumber(4), "acc_b", bought),
	)
	f.release("acc_a", usNumber(2))
	f.release("acc_a", "+442079460002")
	f.clock.Advance(time.Hour)

	tests := []struct {
		name   string
		filter numberpool.NumberFilter
		want   []string
	}{
		{"all", numberpool.NumberFilter{},
			[]string{usNumber(1), usNumber(2), usNumber(3), "+442079460001", "+442079460002"}},
		{"active", numberpool.NumberFilter{Status: numberpool.StatusActive},
			[]string{usNumber(1), usNumber(3), "+442079460001"}},
		{"released", numberpool.NumberFilter{Status: numberpool.StatusReleased},
			[]string{usNumber(2), "+442079460002"}},
		{"country", numberpool.NumberFilter{Country: "GB"},
			[]string{"+442079460001", "+442079460002"}},
		{"country and status", numberpool.NumberFilter{Country: "US", Status: numberpool.StatusReleased},
			[]string{usNumber(2)}},
		{"no match", numberpool.NumberFilter{Country: "FR"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := tt.filter
			filter.Page, filter.PerPage = 1, 100
			page, err := f.store.ListNumbers(f.ctx, "acc_a", filter)
			if err != nil {
				t.Fatalf("ListNumbers: %v", err)
			}
			// All share one purchase time, so the order is by E.164.
			want := slices.Sorted(slices.Values(tt.want))
			if d := diff(want, e164sOf(page.Numbers)); d != "" {
				t.Errorf("listed numbers (-want +got):\n%s", d)
			}
			if page.Total != len(tt.want) {
				t.Errorf("total = %d, want %d", page.Total, len(tt.want))
			}
			if page.Numbers == nil {
				t.Error("Numbers = nil, want a non-nil list")
			}
		})
	}
}

func testListInvalid(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a")

	tests := []struct {
		name   string
		filter numberpool.NumberFilter
		field  string
	}{
		{"page 0", numberpool.NumberFilter{Page: 0, PerPage: 20}, "page"},
		{"per_page 0", numberpool.NumberFilter{Page: 1, PerPage: 0}, "per_page"},
		{"per_page 101", numberpool.NumberFilter{Page: 1, PerPage: 101}, "per_page"},
		{"status available", numberpool.NumberFilter{Page: 1, PerPage: 20, Status: numberpool.StatusAvailable}, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.ListNumbers(f.ctx, "acc_a", tt.filter)
			wantCode(t, err, numberpool.CodeValidationFailed)
			var e *numberpool.Error
			if errors.As(err, &e) && (len(e.Details) != 1 || e.Details[0].Field != tt.field) {
				t.Errorf("error details = %+v, want one detail for %s", e.Details, tt.field)
			}
		})
	}
}

// testListSuspended checks that the status filter agrees with the status
// that the number object shows: a billing hold in force, on the number or
// on its account, makes an active number suspended, and no other hold does.
func testListSuspended(t *testing.T, newStore Harness) {
	f := newFixture(t, newStore, defaultPolicies())
	f.accounts("acc_a", "acc_b")

	bought := t0.Add(-100 * day)
	f.load(
		owned(usNumber(1), "acc_a", bought), owned(usNumber(2), "acc_a", bought), owned(usNumber(3), "acc_a", bought),
		owned(usNumber(4), "acc_b", bought), owned(usNumber(6), "acc_b", bought),
	)
	f.release("acc_b", usNumber(6))
	f.hold(numberpool.Hold{E164: usNumber(1), Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})
	f.hold(numberpool.Hold{E164: usNumber(2), Kind: numberpool.HoldLegal, Reason: "court order 7"})
	f.hold(numberpool.Hold{E164: usNumber(3), Kind: numberpool.HoldBilling, Reason: "paid since"})
	if _, err := f.store.LiftHold(f.ctx, "", usNumber(3), numberpool.HoldBilling); err != nil {
		t.Fatalf("LiftHold: %v", err)
	}
	f.hold(numberpool.Hold{AccountID: "acc_b", Kind: numberpool.HoldBilling, Reason: "account in arrears"})

	tests := []struct {
		name    string
		account string
		status  numberpool.Status
		want    []string
	}{
		{"active", "acc_a", numberpool.StatusActive, []string{usNumber(2), usNumber(3)}},
		{"suspended", "acc_a", numberpool.StatusSuspended, []string{usNumber(1)}},
		{"all", "acc_a", "", []string{usNumber(1), usNumber(2), usNumber(3)}},
		{"account hold active", "acc_b", numberpool.StatusActive, []string{}},
		{"account hold suspended", "acc_b", numberpool.StatusSuspended, []string{usNumber(4)}},
		{"account hold released", "acc_b", numberpool.StatusReleased, []string{usNumber(6)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := f.store.ListNumbers(f.ctx, tt.account, numberpool.NumberFilter{Status: tt.status, Page: 1, PerPage: 100})
			if err != nil {
				t.Fatalf("ListNumbers: %v", err)
			}
			if d := diff(tt.want, e164sOf(page.Numbers)); d != "" {
				t.Errorf("listed numbers (-want +got):\n%s", d)
			}
			if page.Total != len(tt.want) {
				t.Errorf("total = %d, want %d", page.Total, len(tt.want))
			}
		})
	}
}
