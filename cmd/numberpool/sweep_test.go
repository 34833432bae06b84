package main

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"numberpool"
)

func TestSweepCommand(t *testing.T) {
	path := newDB(t)
	store := openTestStore(t, path)
	if _, err := store.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	released := func(e164 string, availableAfter time.Time) numberpool.Number {
		return numberpool.Number{
			E164: e164, Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusReleased,
			AccountID: "acc_a", PurchasedAt: testNow.Add(-400 * 24 * time.Hour),
			ReleasedAt: testNow.Add(-40 * 24 * time.Hour), AvailableAfter: availableAfter,
		}
	}
	ns := []numberpool.Number{
		released("+14155550001", testNow.Add(-time.Hour)),
		released("+14155550002", testNow),
		released("+14155550003", testNow.Add(time.Second)),
	}
	if _, err := store.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}

	out := mustRun(t, "", "sweep", "--db", path, "--batch", "1", "--log-level", "warn")
	if want := "2 numbers returned to the pool\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if _, err := store.GetNumber(t.Context(), "acc_a", "+14155550003"); err != nil {
		t.Errorf("the number still cooling off is gone from its account: %v", err)
	}

	r := runCommand(t, nil, "", "sweep", "--db", path, "--batch", "0")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--batch") {
		t.Errorf("sweep --batch 0: exit %d, stderr %q; want a usage error naming --batch", r.code, r.stderr)
	}
}

func TestDemoPool(t *testing.T) {
	store := openTestStore(t, newDB(t))
	for range 2 {
		if err := seedDemoPool(t.Context(), store, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("seedDemoPool: %v", err)
		}
	}

	tests := []struct {
		filter numberpool.SearchFilter
		total  int
	}{
		{numberpool.SearchFilter{Country: "US", AreaCode: "415"}, 500},
		{numberpool.SearchFilter{Country: "US", Type: numberpool.TypeTollFree}, 300},
		{numberpool.SearchFilter{Country: "GB", StartsWith: "2079460"}, 500},
		{numberpool.SearchFilter{Country: "CA"}, 300},
	}
	for _, tt := range tests {
		tt.filter.Page, tt.filter.PerPage = 1, 20
		page, err := store.SearchInventory(t.Context(), tt.filter)
		if err != nil {
			t.Fatalf("SearchInventory(%+v): %v", tt.filter, err)
		}
		if page.Total != tt.total {
			t.Errorf("SearchInventory(%+v) total = %d, want %d", tt.filter, page.Total, tt.total)
		}
	}
	for _, r := range demoRanges {
		for n := range r.numbers() {
			if country, err := numberpool.ParseE164("e164", n.E164); err != nil || country != r.country {
				t.Errorf("demo number %s: country %q, %v; want a valid number of %s", n.E164, country, err, r.country)
			}
		}
	}
}
