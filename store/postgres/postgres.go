// Package postgres is the PostgreSQL backend of numberpool, for deployments
// that run several API replicas on one database. It implements
// numberpool.Store with pgx, guards every transition with a row lock and the
// expected state, and retries transactions that PostgreSQL aborted for
// serialization failures, deadlocks or a lost connection.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
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

// OpenForMigration connects to the database at url without applying or
// checking migrations, for a caller that then calls ApplyMigrations.
func OpenForMigration(ctx context.Context, url string, opts Options) (*Store, error) {
	return connect(ctx, url, opts)
}

func connect(ctx context.Context, url string, opts Options) (*Store, error) {
	// The URL may carry a password, so no error or log line here repeats it.
	config, err := parseConfig(url)
	if err != nil {
		return nil, err
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
		if err := permanentConnectError(config, err); err != nil {
			return nil, err
		}
		return nil, wrap("connect to PostgreSQL at "+describe(config), err)
	}
	return s, nil
}

// ErrConfig is wrapped by the errors of Open and OpenNoMigrate that waiting
// cannot cure, such as a database that does not exist or rejected
// credentials: the connection string or the server must be changed.
var ErrConfig = errors.New("PostgreSQL rejected the connection settings")

// permanentConnectError returns an error wrapping ErrConfig when the server
// rejected the connection for a reason that retrying cannot cure, or nil.
func permanentConnectError(config *pgxpool.Config, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return nil
	}
	switch {
	case pgErr.Code == "3D000": // invalid_catalog_name
		return fmt.Errorf("%w: database %q does not exist on %s: create it, or name an existing database in the connection string (%s)",
			ErrConfig, config.ConnConfig.Database, describe(config), pgErr.Code)
	case strings.HasPrefix(pgErr.Code, "28"): // invalid authorization specification
		return fmt.Errorf("%w: the server at %s rejected the credentials of user %q: check the user and password (%s)",
			ErrConfig, describe(config), config.ConnConfig.User, pgErr.Code)
	}
	return nil
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
