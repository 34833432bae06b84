package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaOutdated is wrapped by the error of OpenNoMigrate when the
// database lacks a migration of this build.
var ErrSchemaOutdated = errors.New("database schema is out of date")

// migrationLockKey is the key of the advisory lock that serialises
// migrations. Advisory locks are scoped to one database, so the key only has
// to differ from other locks that numberpool takes on its own database.
const migrationLockKey int64 = 0x6e756d706f6f6c // "numpool" in ASCII

// Migrate applies the pending migrations. Replicas that start together may
// all call it: an advisory lock makes them take turns, and each one that
// gets the lock after the first finds nothing left to apply.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate that also returns the count of migrations it
// applied.
func (s *Store) ApplyMigrations(ctx context.Context) (int, error) {
	lockTx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, wrap("begin migration lock transaction", err)
	}
	// A transaction-level lock ends with the transaction, also when the
	// connection is lost, so no pooled connection can keep it by mistake.
	defer lockTx.Rollback(context.WithoutCancel(ctx))
	if _, err := lockTx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return 0, wrap("take migration lock", err)
	}

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := newProvider(db)
	if err != nil {
		return 0, err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("apply migrations: %w", err)
	}

	version, err := provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	s.logger.InfoContext(ctx, "migrations applied", "count", len(results), "schema_version", version)
	return len(results), nil
}

// SchemaVersion returns the version of the newest migration applied to the
// database, 0 when none has been. It never changes the schema.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var versioned bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&versioned)
	if err != nil {
		return 0, wrap("look for the schema version table", err)
	}
	if !versioned {
		return 0, nil
	}

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := newProvider(db)
	if err != nil {
		return 0, err
	}
	version, err := provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return version, nil
}

// checkSchema returns an error unless every migration of this build has
// been applied and none newer. It reads without writing: goose creates its
// version table on first use, so checkSchema looks for that table before
// asking goose anything.
func (s *Store) checkSchema(ctx context.Context) error {
	var versioned bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&versioned)
	if err != nil {
		return wrap("look for the schema version table", err)
	}

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := newProvider(db)
	if err != nil {
		return err
	}
	if !versioned {
		sources := provider.ListSources()
		return outdated(0, sources[len(sources)-1].Version)
	}

	current, target, err := provider.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	pending, err := provider.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("compare schema with migrations: %w", err)
	}
	switch {
	case current < target || pending:
		return outdated(current, target)
	case current > target:
		return fmt.Errorf("the database has schema version %d, newer than version %d of this build of numberpool: run a numberpool release that knows version %d",
			current, target, current)
	}
	return nil
}

func outdated(current, target int64) error {
	return fmt.Errorf("%w: the database has schema version %d but this build of numberpool needs version %d: run `numberpool migrate` to upgrade it",
		ErrSchemaOutdated, current, target)
}

func newProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open embedded migrations: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return provider, nil
}
