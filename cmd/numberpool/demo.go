package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"numberpool"
)

// demoAccountID is the account of the public release page's examples.
const demoAccountID = "acc_123abc"

// demoNumbers returns the numbers of the demo account: one bought six weeks
// before now, so that its release owes the early termination fee, and one
// bought a year before, whose release owes nothing.
func demoNumbers(now time.Time) []numberpool.Number {
	number := func(e164 string, purchasedAt time.Time) numberpool.Number {
		return numberpool.Number{
			E164:         e164,
			Country:      "US",
			Type:         numberpool.TypeLocal,
			Region:       "CA",
			Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS, numberpool.CapabilityMMS},
			MonthlyFee:   125,
			Status:       numberpool.StatusActive,
			AccountID:    demoAccountID,
			PurchasedAt:  purchasedAt,
		}
	}
	return []numberpool.Number{
		number("+14155551234", now.Add(-6*7*24*time.Hour)),
		number("+14155550100", now.AddDate(-1, 0, 0)),
	}
}

// seedDemo creates the demo account and its numbers where they are missing,
// leaving existing ones as they are, and returns a new live key of the
// account.
func seedDemo(ctx context.Context, store numberpool.Store, clock numberpool.Clock, logger *slog.Logger) (string, error) {
	_, err := store.CreateAccount(ctx, demoAccountID)
	switch {
	case err == nil:
		logger.InfoContext(ctx, "demo account created", "account_id", demoAccountID)
	case !numberpool.IsCode(err, numberpool.CodeConflict):
		return "", fmt.Errorf("create demo account %s: %w", demoAccountID, err)
	}

	for _, n := range demoNumbers(numberpool.NowSeconds(clock)) {
		// One import per number, so that a number that exists, even one
		// released since, does not keep the other from being added.
		_, err := store.ImportNumbers(ctx, slices.Values([]numberpool.Number{n}))
		switch {
		case err == nil:
			logger.InfoContext(ctx, "demo number added", "account_id", demoAccountID, "e164", n.E164)
		case numberpool.IsCode(err, numberpool.CodeConflict):
			logger.InfoContext(ctx, "demo number exists", "account_id", demoAccountID, "e164", n.E164)
		default:
			return "", fmt.Errorf("add demo number %s: %w", n.E164, err)
		}
	}

	if err := seedDemoPool(ctx, store, logger); err != nil {
		return "", err
	}
	return createKey(ctx, store, demoAccountID)
}

// printDemo prints the demo key and a curl command that previews a release.
func printDemo(w io.Writer, baseURL, key string) {
	fmt.Fprintf(w, "Demo account %s holds +14155551234 (bought six weeks ago) and +14155550100 (bought a year ago).\n", demoAccountID)
	fmt.Fprintf(w, "API key: %s\n", key)
	fmt.Fprintln(w, "Preview the release of +14155551234:")
	fmt.Fprintf(w, "curl --request GET --url %s/v1/account/%s/numbers/+14155551234/release-preview --header 'Authorization: Bearer %s'\n",
		baseURL, demoAccountID, key)
	fmt.Fprintln(w, "Search the pool of available numbers, then buy one:")
	fmt.Fprintf(w, "curl --request GET --url '%s/v1/account/%s/inventory/numbers?country=US&area_code=415&contains=60' --header 'Authorization: Bearer %s'\n",
		baseURL, demoAccountID, key)
	fmt.Fprintf(w, "curl --request POST --url %s/v1/account/%s/numbers/purchase-from-inventory --header 'Authorization: Bearer %s' --header 'Content-Type: application/json' --data '{\"e164\": \"+14152006000\", \"country\": \"US\"}'\n",
		baseURL, demoAccountID, key)
}
