package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"numberpool"
)

// TestInventoryCheck stores, as older versions imported them, a number with
// a national prefix and a number of a global service beside a valid one,
// and checks that inventory check lists the first two and fails.
func TestInventoryCheck(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")
	if got := mustRun(t, "", "inventory", "check", "--db", path); got != "all 0 numbers are in their E.164 form and belong to a country\n" {
		t.Errorf("stdout on an empty pool = %q", got)
	}

	legacy := []numberpool.Number{
		{E164: "+114155551234", Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusActive,
			AccountID: "acc_x", PurchasedAt: testNow.Add(-24 * time.Hour)},
		{E164: "+14155551234", Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
		{E164: "+80012345678", Country: "001", Type: numberpool.TypeTollFree, Status: numberpool.StatusAvailable},
	}
	if _, err := openTestStore(t, path).ImportNumbers(context.Background(), slices.Values(legacy)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}

	r := runCommand(t, nil, "", "inventory", "check", "--db", path)
	want := `+114155551234 (active, account acc_x): invalid phone number "+114155551234": ` +
		`it holds a national prefix or carrier code, which E.164 leaves out: +14155551234; ` +
		`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)` + "\n" +
		"+80012345678 (available): a non-geographic number, which belongs to no country, so no search or purchase can name it\n"
	if r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	wantErr := "numberpool: numbers not in their E.164 form or of no country: 2 of 3; " +
		"a purchase rejects them, and an import does not see them as the line of their E.164 form\n"
	if r.stderr != wantErr {
		t.Errorf("stderr = %q, want %q", r.stderr, wantErr)
	}
}
