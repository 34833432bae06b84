package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
	"numberpool/store/postgres"
)

// benchStore holds the store methods that mode pool measures, which both
// stores have.
type benchStore interface {
	CreateAccount(ctx context.Context, id string) (numberpool.Account, error)
	SearchInventory(ctx context.Context, f numberpool.SearchFilter) (numberpool.SearchPage, error)
	ExplainSearch(ctx context.Context, f numberpool.SearchFilter) (string, error)
	PurchaseNumber(ctx context.Context, accountID, e164, country string) (numberpool.Number, error)
	ReleaseNumber(ctx context.Context, accountID, e164 string) (numberpool.Release, error)
	Sweep(ctx context.Context, limit int) (int, error)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// runPostgres runs mode generate or pool on the PostgreSQL database at url,
// which must exist; mode generate needs it empty.
func runPostgres(ctx context.Context, url, mode string, queries, buys, batch int) {
	clock := numberpool.NewManualClock(time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC))
	store, err := postgres.Open(ctx, url, postgres.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	switch mode {
	case "generate":
		createAccount(ctx, store)
		generatePostgres(ctx, url, poolSize)
	case "pool":
		measurePool(ctx, store, clock, queries, buys, batch)
	default:
		log.Fatalf("mode %q is not available on PostgreSQL: expected generate or pool", mode)
	}
	reportPostgres(ctx, url)
}

// generatePostgres fills the pool with the numbers of poolNumber in one
// INSERT ... SELECT, without the trigram index, which it builds afterwards
// in one pass, then updates the planner's statistics. Like generate, it
// builds large pools quickly and measures nothing of the import.
func generatePostgres(ctx context.Context, url string, n int) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)

	var index string
	if err := conn.QueryRow(ctx, `SELECT pg_get_indexdef('numbers_pool_digits'::regclass)`).Scan(&index); err != nil {
		log.Fatal(err)
	}
	pgExec(ctx, conn, `DROP INDEX numbers_pool_digits`)

	start := time.Now()
	perCode := (n + len(areaCodes) - 1) / len(areaCodes)
	// The expression is poolNumber's: perCode consecutive numbers of each
	// area code, from 2000000 on.
	pgExec(ctx, conn, `
		INSERT INTO numbers (e164, country, type, region, capabilities, monthly_fee_cents, status, created_at, updated_at)
		SELECT '+1' || ($1::int[])[i / $2 + 1] || lpad((2000000 + i % $2)::text, 7, '0'),
			'US', 'local', 'US', 3, 115, 'available', 0, 0
		FROM generate_series(0, $3 - 1) AS i`, areaCodes, perCode, n)
	rows := time.Since(start)

	pgExec(ctx, conn, `SET maintenance_work_mem = '1GB'`)
	pgExec(ctx, conn, index)
	indexed := time.Since(start) - rows
	pgExec(ctx, conn, `VACUUM ANALYZE numbers`)
	fmt.Printf("generate: %d numbers in %.1f s, trigram index in %.1f s more, vacuum and analyze in %.1f s more\n",
		n, rows.Seconds(), indexed.Seconds(), (time.Since(start) - rows - indexed).Seconds())
}

func pgExec(ctx context.Context, conn *pgx.Conn, query string, args ...any) {
	if _, err := conn.Exec(ctx, query, args...); err != nil {
		log.Fatalf("%s: %v", query, err)
	}
}

// measurePool runs mode pool on store.
func measurePool(ctx context.Context, store benchStore, clock *numberpool.ManualClock, queries, buys, batch int) {
	printPlans(ctx, store)
	searchLatency(ctx, store, queries)
	e164s := buyAndRelease(ctx, store, 0, buys)
	clock.Advance(31 * 24 * time.Hour)
	sweep(ctx, store, len(e164s), batch)
	sweepWhileReleasing(ctx, store, clock, buys, batch)
}

// reportPostgres prints the size of the database and of the pool's indexes.
func reportPostgres(ctx context.Context, url string) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)

	rows, err := conn.Query(ctx, `
		SELECT 'database', pg_database_size(current_database())
		UNION ALL
		SELECT c.relname, pg_relation_size(c.oid) FROM pg_class AS c
		WHERE c.relname IN ('numbers', 'numbers_pkey', 'numbers_pool', 'numbers_pool_type', 'numbers_pool_digits')`)
	if err != nil {
		log.Fatal(err)
	}
	sizes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		Name  string
		Bytes int64
	}])
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range sizes {
		fmt.Printf("size %-20s %8.1f MB\n", s.Name, float64(s.Bytes)/1e6)
	}
}
