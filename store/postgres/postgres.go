// Package postgres is the PostgreSQL backend of numberpool, for deployments
// that run several API replicas on one database. It implements
// numberpool.Store with pgx, guards every transition with a row lock and the
// expected state, and retries transactions that PostgreSQL aborted for
// serialization failures, deadlocks or a lost connection.
package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"numberpool"
)

// Options configures a Store. The zero value is ready to use.
type Options struct {
	Clock    numberpool.Clock    // nil: numberpool.SystemClock{}
	Policies numberpool.Policies // zero: numberpool.Policies{Default: numberpool.DefaultPolicy}
	Logger   *slog.Logger        // nil: slog.Default()
	// MaxCallDuration is how long a call without an "ended" event counts
	// as active; zero: numberpool.DefaultMaxCallDuration.
	MaxCallDuration time.Duration
}

// Store is a numberpool.Store on a PostgreSQL database. It is safe for
// concurrent use, also by several processes on the same database.
type Store struct {
	pool     *pgxpool.Pool
	clock    numberpool.Clock
	policies numberpool.Policies
	logger   *slog.Logger

	maxCallDuration time.Duration
}

var _ numberpool.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and applies any pending migrations before it returns.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}

	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenNoMigrate connects to the database at url and returns an error if its
// schema lacks a migration that this build needs. It never changes the
// schema, so a serving replica cannot race an operator's `numberpool migrate`.
func OpenNoMigrate(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}

	if err := s.checkSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func connect(ctx context.Context, url string, opts Options) (*Store, error) {
	// The URL may carry a password, so no error or log line here repeats it.
	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		// NOTE: pgx v5 removes the password from the string quoted in its
		// parse errors, but only as well as it can parse a malformed string.
		return nil, fmt.Errorf("invalid PostgreSQL connection string: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("create PostgreSQL pool for %s: %w", describe(config), err)
	}

	s := &Store{pool: pool, clock: opts.Clock, policies: opts.Policies, logger: opts.Logger,
		maxCallDuration: opts.MaxCallDuration}
	if s.clock == nil {
		s.clock = numberpool.SystemClock{}
	}
	if s.policies.Default == (numberpool.Policy{}) && len(s.policies.Rules) == 0 {
		s.policies = numberpool.Policies{Default: numberpool.DefaultPolicy}
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.maxCallDuration <= 0 {
		s.maxCallDuration = numberpool.DefaultMaxCallDuration
	}

	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, wrap("connect to PostgreSQL at "+describe(config), err)
	}
	return s, nil
}

// describe names the server and database of config without the password.
func describe(config *pgxpool.Config) string {
	c := config.ConnConfig
	return fmt.Sprintf("host=%s port=%d database=%s user=%s", c.Host, c.Port, c.Database, c.User)
}

// Ping checks that the database responds. It returns SERVICE_UNAVAILABLE
// when it does not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return wrap("ping database", err)
	}
	return nil
}

// Close closes the connection pool. Methods called afterwards return
// SERVICE_UNAVAILABLE.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
