package main

import (
	"context"
	"log/slog"
	"strings"

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

// openStore opens the backend that cfg.DB names: a postgres:// or
// postgresql:// URL selects PostgreSQL, anything else is a SQLite file path.
// With migrate set it applies the pending migrations first; without it, it
// fails on a database whose schema is not current.
func openStore(ctx context.Context, cfg Config, deps storeDeps, migrate bool) (numberpool.Store, error) {
	if isPostgresURL(cfg.DB) {
		return openPostgres(ctx, cfg, deps, migrate)
	}

	opts := sqlite.Options{Clock: deps.Clock, Policies: cfg.Policies, Logger: deps.Logger, MaxCallDuration: cfg.MaxCallDuration}
	if migrate {
		return sqlite.Open(ctx, cfg.DB, opts)
	}
	return sqlite.OpenNoMigrate(ctx, cfg.DB, opts)
}

// openPostgres opens the PostgreSQL store. Its errors never repeat the URL,
// which may carry a password.
func openPostgres(ctx context.Context, cfg Config, deps storeDeps, migrate bool) (numberpool.Store, error) {
	opts := postgres.Options{Clock: deps.Clock, Policies: cfg.Policies, Logger: deps.Logger, MaxCallDuration: cfg.MaxCallDuration}
	if migrate {
		return postgres.Open(ctx, cfg.DB, opts)
	}
	return postgres.OpenNoMigrate(ctx, cfg.DB, opts)
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
