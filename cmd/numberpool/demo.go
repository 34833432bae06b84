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

// demoFeeNumber is the demo number whose release owes the early
// termination fee.
const demoFeeNumber = "+14155551234"

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
		number(demoFeeNumber, now.Add(-6*7*24*time.Hour)),
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

// demoHoldingsLimit bounds how many of the demo account's numbers the
// start-up message lists.
const demoHoldingsLimit = 10

// demoHoldings are the first numbers that the demo account holds, with the
// status that the number object shows for each, suspended under a billing
// hold.
type demoHoldings struct {
	numberpool.NumberPage
	displayStatus map[string]numberpool.Status // by E.164
}

// listDemoHoldings returns the first numbers that the demo account holds at
// now, oldest purchase first, and how many it holds in all. A number
// released earlier may be gone or still cooling off, so they are read from
// the store rather than assumed.
func listDemoHoldings(ctx context.Context, store numberpool.Store, now time.Time) (demoHoldings, error) {
	page, err := store.ListNumbers(ctx, demoAccountID, numberpool.NumberFilter{Page: 1, PerPage: demoHoldingsLimit})
	if err != nil {
		return demoHoldings{}, fmt.Errorf("list the numbers of demo account %s: %w", demoAccountID, err)
	}

	e164s := make([]string, len(page.Numbers))
	for i, n := range page.Numbers {
		e164s[i] = n.E164
	}
	guards, err := store.ReleaseGuards(ctx, demoAccountID, e164s)
	if err != nil {
		return demoHoldings{}, fmt.Errorf("get holds of demo account %s: %w", demoAccountID, err)
	}
	held := demoHoldings{NumberPage: page, displayStatus: make(map[string]numberpool.Status, len(page.Numbers))}
	for _, n := range page.Numbers {
		held.displayStatus[n.E164] = numberpool.DisplayStatus(n, guards[n.E164], now)
	}
	return held, nil
}

// printHoldings prints what the demo account holds.
func printHoldings(w io.Writer, held demoHoldings) {
	if held.Total == 0 {
		fmt.Fprintf(w, "Demo account %s holds no numbers now.\n", demoAccountID)
		return
	}
	fmt.Fprintf(w, "Demo account %s holds %s:\n", demoAccountID, plural(held.Total, "number", "numbers"))
	for _, n := range held.Numbers {
		fmt.Fprintf(w, "  %s  %s, bought %s\n", n.E164, held.displayStatus[n.E164], numberpool.FormatTime(n.PurchasedAt))
	}
	if more := held.Total - len(held.Numbers); more > 0 {
		fmt.Fprintf(w, "  and %d more\n", more)
	}
}

// printDemo prints what the demo account holds, the demo key and curl
// commands that preview a release and buy from the pool.
func printDemo(w io.Writer, baseURL, key string, held demoHoldings) {
	printHoldings(w, held)
	fmt.Fprintf(w, "API key: %s\n", key)
	if len(held.Numbers) > 0 {
		// The number bought six weeks ago shows the early termination fee,
		// so its preview comes first while the account holds it.
		e164 := held.Numbers[0].E164
		if slices.ContainsFunc(held.Numbers, func(n numberpool.Number) bool { return n.E164 == demoFeeNumber }) {
			e164 = demoFeeNumber
		}
		fmt.Fprintf(w, "Preview the release of %s:\n", e164)
		fmt.Fprintf(w, "curl --request GET --url %s/v1/account/%s/numbers/%s/release-preview --header 'Authorization: Bearer %s'\n",
			baseURL, demoAccountID, e164, key)
	}
	fmt.Fprintln(w, "Search the pool of available numbers, then buy one:")
	fmt.Fprintf(w, "curl --request GET --url '%s/v1/account/%s/inventory/numbers?country=US&area_code=415&contains=60' --header 'Authorization: Bearer %s'\n",
		baseURL, demoAccountID, key)
	fmt.Fprintf(w, "curl --request POST --url %s/v1/account/%s/numbers/purchase-from-inventory --header 'Authorization: Bearer %s' --header 'Content-Type: application/json' --data '{\"e164\": \"+14152006000\", \"country\": \"US\"}'\n",
		baseURL, demoAccountID, key)
}
