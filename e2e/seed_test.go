package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
	"numberpool/store/postgres"
)

// purchaseAge makes every seeded number young enough that its release owes
// the default early termination fee of 25.00.
const purchaseAge = 6 * 7 * 24 * time.Hour

// defaultFee is the early termination fee of the default policy, in cents.
const defaultFee numberpool.Cents = 2500

// seedAccount creates accountID with a live key and active numbers e164s on
// the migrated database db, and returns the key. The replicas read the
// system clock, so the purchase time is taken from it too.
func seedAccount(tb testing.TB, db, accountID string, e164s []string) string {
	tb.Helper()
	ctx := context.Background()
	store := openSeedStore(tb, db)
	if _, err := store.CreateAccount(ctx, accountID); err != nil {
		tb.Fatalf("create account %s: %v", accountID, err)
	}
	key := numberpool.NewAPIKey(numberpool.LiveKeyPrefix)
	if err := store.CreateAPIKey(ctx, accountID, numberpool.HashAPIKey(key)); err != nil {
		tb.Fatalf("create key of %s: %v", accountID, err)
	}

	purchasedAt := time.Now().UTC().Truncate(time.Second).Add(-purchaseAge)
	numbers := make([]numberpool.Number, len(e164s))
	for i, e164 := range e164s {
		numbers[i] = newNumber(e164)
		numbers[i].Status = numberpool.StatusActive
		numbers[i].AccountID = accountID
		numbers[i].PurchasedAt = purchasedAt
	}
	importNumbers(tb, store, numbers)
	return key
}

// seedAvailable adds e164s to the pool as available numbers with a setup fee
// of setupFee.
func seedAvailable(tb testing.TB, db string, e164s []string) {
	tb.Helper()
	numbers := make([]numberpool.Number, len(e164s))
	for i, e164 := range e164s {
		numbers[i] = newNumber(e164)
		numbers[i].Status = numberpool.StatusAvailable
		numbers[i].SetupFee = setupFee
	}
	importNumbers(tb, openSeedStore(tb, db), numbers)
}

// setupFee is the setup fee of the numbers that seedAvailable adds.
const setupFee numberpool.Cents = 100

func newNumber(e164 string) numberpool.Number {
	return numberpool.Number{
		E164:         e164,
		Country:      "US",
		Type:         numberpool.TypeLocal,
		Region:       "CA",
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice},
		MonthlyFee:   125,
	}
}

// openSeedStore opens a store on db that closes at the end of the test.
func openSeedStore(tb testing.TB, db string) *postgres.Store {
	tb.Helper()
	store, err := postgres.OpenNoMigrate(context.Background(), db, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

func importNumbers(tb testing.TB, store *postgres.Store, numbers []numberpool.Number) {
	tb.Helper()
	if len(numbers) == 0 {
		return
	}
	if _, err := store.ImportNumbers(context.Background(), slices.Values(numbers)); err != nil {
		tb.Fatalf("import %d numbers: %v", len(numbers), err)
	}
}

// numberRange returns count numbers from first upwards, e.g. +14155553000.
func numberRange(first, count int) []string {
	numbers := make([]string, count)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", first+i)
	}
	return numbers
}

// connect opens one connection to db for the checks of a test.
func connect(tb testing.TB, db string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		tb.Fatalf("connect to test database: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// dbConn is the part of *pgx.Conn that the checks use.
type dbConn interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
