package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"numberpool"
	"numberpool/store/postgres"
	"numberpool/store/sqlite"
)

// storeDeps are the clock and the logger that every backend takes besides
// the configuration.
type storeDeps struct {
	Clock  numberpool.Clock
	Logger *slog.Logger
}

// openStore opens the backend that cfg.DB names (see parseDB). With migrate
// set, it creates a missing SQLite file and applies the pending migrations.
// Without it, it fails on a missing SQLite file or an outdated schema.
func openStore(ctx context.Context, cfg Config, deps storeDeps, migrate bool) (numberpool.Store, error) {
	backend, err := parseDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	if backend == backendPostgres {
		return openPostgres(ctx, cfg, deps, migrate)
	}

	opts := sqliteOptions(cfg, deps)
	if migrate {
		return sqlite.Open(ctx, cfg.DB, opts)
	}
	if err := checkSQLiteFile(cfg.DB); err != nil {
		return nil, err
	}
	return sqlite.OpenNoMigrate(ctx, cfg.DB, opts)
}

// migratingStore is a store that the migrate command can report on.
type migratingStore interface {
	numberpool.Store
	ApplyMigrations(ctx context.Context) (int, error)
	SchemaVersion(ctx context.Context) (int64, error)
}

// openForMigration opens the backend that cfg.DB names without applying or
// checking migrations. It creates a SQLite file that does not exist.
func openForMigration(ctx context.Context, cfg Config, deps storeDeps) (migratingStore, error) {
	backend, err := parseDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	if backend == backendPostgres {
		store, err := postgres.OpenForMigration(ctx, cfg.DB, postgresOptions(cfg, deps))
		if err != nil {
			return nil, redactOpenError(err, cfg.DB)
		}
		return store, nil
	}
	return sqlite.OpenForMigration(ctx, cfg.DB, sqliteOptions(cfg, deps))
}

func postgresOptions(cfg Config, deps storeDeps) postgres.Options {
	return postgres.Options{Clock: deps.Clock, Policies: cfg.Policies, Logger: deps.Logger, MaxCallDuration: cfg.MaxCallDuration}
}

func sqliteOptions(cfg Config, deps storeDeps) sqlite.Options {
	return sqlite.Options{Clock: deps.Clock, Policies: cfg.Policies, Logger: deps.Logger, MaxCallDuration: cfg.MaxCallDuration}
}

// checkSQLiteFile returns an error when path does not exist, so that the
// operator commands never create an empty database by mistake, for example
// after a typing error in --db.
func checkSQLiteFile(path string) error {
	_, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("database file %s not found: check --db/NUMBERPOOL_DB, or create the database with numberpool migrate or numberpool serve first", path)
	}
	if err != nil {
		return fmt.Errorf("open database file %s: %w", path, err)
	}
	return nil
}

// openPostgres opens the PostgreSQL store. Its errors never repeat the
// password of the connection string.
func openPostgres(ctx context.Context, cfg Config, deps storeDeps, migrate bool) (numberpool.Store, error) {
	open := postgres.OpenNoMigrate
	if migrate {
		open = postgres.Open
	}
	store, err := open(ctx, cfg.DB, postgresOptions(cfg, deps))
	if err != nil {
		return nil, redactOpenError(err, cfg.DB)
	}
	return store, nil
}

// redactOpenError returns the error of a PostgreSQL open with the password
// of connString removed from its text. An invalid connection string becomes
// a usage error.
func redactOpenError(err error, connString string) error {
	text := postgres.Redact(errorText(err), connString)
	if errors.Is(err, postgres.ErrInvalidConnString) {
		return usageErrorf("invalid --db/NUMBERPOOL_DB: %s", text)
	}
	return errors.New(text)
}
