package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"time"

	"numberpool"
)

// benchAccountID is the account that holds every seeded number.
const benchAccountID = "acc_bench"

// maxSeededNumbers is the size of the number range the release phase draws
// from: +14152000000 to +14152999999.
const maxSeededNumbers = 1_000_000

// previewNumberCount is how many numbers the preview phase cycles through.
// They are separate from the release phase's numbers, so every preview finds an
// active number.
const previewNumberCount = 64

// purchaseAge makes every seeded number young enough that its release owes
// the early termination fee under the default policy, so that preview
// writes its warning and release records a charge, as for the demo number.
const purchaseAge = 6 * 7 * 24 * time.Hour

// seeded describes the seeded database: its --db value, the API key and the
// numbers each phase uses.
type seeded struct {
	db             string
	key            string
	releaseNumbers []string
	previewNumbers []string
}

// seedDatabase migrates db, a SQLite file path or a postgres:// URL, and
// adds the bench account, one live API key and count active numbers to
// release.
func seedDatabase(ctx context.Context, db string, count int) (seeded, error) {
	s := seeded{
		db:             db,
		key:            numberpool.NewAPIKey(numberpool.LiveKeyPrefix),
		releaseNumbers: numberRange("+14152%06d", count),
		previewNumbers: numberRange("+14153%06d", previewNumberCount),
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := openStore(ctx, s.db, quiet)
	if err != nil {
		return seeded{}, fmt.Errorf("open seed database: %w", err)
	}
	defer store.Close()

	if _, err := store.CreateAccount(ctx, benchAccountID); err != nil {
		return seeded{}, fmt.Errorf("seed account %s: %w", benchAccountID, err)
	}
	if err := store.CreateAPIKey(ctx, benchAccountID, numberpool.HashAPIKey(s.key)); err != nil {
		return seeded{}, fmt.Errorf("seed API key of %s: %w", benchAccountID, err)
	}

	purchasedAt := time.Now().UTC().Truncate(time.Second).Add(-purchaseAge)
	all := append(append([]string{}, s.releaseNumbers...), s.previewNumbers...)
	if _, err := store.ImportNumbers(ctx, activeNumbers(all, purchasedAt)); err != nil {
		return seeded{}, fmt.Errorf("seed %d numbers: %w", len(all), err)
	}
	return s, nil
}

func numberRange(format string, count int) []string {
	numbers := make([]string, count)
	for i := range numbers {
		numbers[i] = fmt.Sprintf(format, i)
	}
	return numbers
}

func activeNumbers(e164s []string, purchasedAt time.Time) iter.Seq[numberpool.Number] {
	return func(yield func(numberpool.Number) bool) {
		for _, e164 := range e164s {
			n := numberpool.Number{
				E164:         e164,
				Country:      "US",
				Type:         numberpool.TypeLocal,
				Region:       "CA",
				Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
				MonthlyFee:   115,
				Status:       numberpool.StatusActive,
				AccountID:    benchAccountID,
				PurchasedAt:  purchasedAt,
			}
			if !yield(n) {
				return
			}
		}
	}
}
