// Package sqlite implements numberpool.Store over one SQLite file, the
// embedded default backend. It is meant for one server process, but other
// processes, such as the operator CLI, may use the same file at the same
// time.
//
// Writes go through one connection that starts every transaction with BEGIN
// IMMEDIATE, so concurrent requests of one process queue for it instead of
// failing with "database is locked", and writers of other processes wait up
// to the busy timeout. Reads use a separate pool of query-only connections,
// which WAL mode lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"numberpool"
)

// busyTimeout is how long a statement waits for a lock held by another
// process (for example a large import by the CLI) before it fails.
const busyTimeout = 10 * time.Second

// Options configures a Store.
type Options struct {
	Clock    numberpool.Clock    // nil means numberpool.SystemClock{}
	Policies numberpool.Policies // zero value means numberpool.Policies{Default: numberpool.DefaultPolicy}
	Logger   *slog.Logger        // nil means slog.Default()
	// MaxCallDuration is how long a call without an "ended" event counts
	// as active; zero means numberpool.DefaultMaxCallDuration.
	MaxCallDuration time.Duration
}

// Store is a numberpool.Store over one SQLite file. It is safe for
// concurrent use.
type Store struct {
	path       string
	writer     *sql.DB // exactly one connection; BEGIN IMMEDIATE
	reader     *sql.DB // query_only connections
	checkpoint *checkpointer
	// walIndex is nil when the WAL-index header cannot be read, which
	// turns the cache of previews off.
	walIndex   *walIndex
	previews   *previewCache
	clock      numberpool.Clock
	policies   numberpool.Policies
	logger     *slog.Logger
	migrations fs.FS

	maxCallDuration time.Duration
}

var _ numberpool.Store = (*Store)(nil)
var _ numberpool.ChargeStore = (*Store)(nil)

// Open opens the database at path, creating the file if needed, applies the
// pending migrations and returns a store ready to serve. An in-memory
// database is not supported, because the writer and the readers are
// separate connections.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	s, err := open(ctx, path, opts, embeddedMigrations())
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenNoMigrate opens the database at path like Open but applies no
// migration. It returns an error when the schema is older or newer than the
// embedded migrations, telling the operator to run `numberpool migrate` in
// the first case. On an empty file it creates goose's version table, which
// then records version 0.
func OpenNoMigrate(ctx context.Context, path string, opts Options) (*Store, error) {
	return openChecked(ctx, path, opts, embeddedMigrations())
}

// OpenForMigration opens the database at path, creating the file if
// needed, without applying or checking migrations, for a caller that then
// calls ApplyMigrations.
func OpenForMigration(ctx context.Context, path string, opts Options) (*Store, error) {
	return open(ctx, path, opts, embeddedMigrations())
}

func openChecked(ctx context.Context, path string, opts Options, migrations fs.FS) (*Store, error) {
	s, err := open(ctx, path, opts, migrations)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, path string, opts Options, migrations fs.FS) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	s := &Store{path: abs, clock: opts.Clock, policies: opts.Policies, logger: opts.Logger, migrations: migrations,
		maxCallDuration: opts.MaxCallDuration}
	s.setDefaults()

	// The writer goes first: its first connection switches the file to WAL,
	// which the query-only readers cannot do.
	s.writer, err = openDB(ctx, writerDriver, abs, writerParams(), 1)
	if err != nil {
		return nil, err
	}
	s.reader, err = openDB(ctx, "sqlite3", abs, readerParams(), max(4, runtime.NumCPU()))
	if err != nil {
		s.writer.Close()
		return nil, err
	}
	checkpoints, err := openDB(ctx, "sqlite3", abs, checkpointerParams(), 1)
	if err != nil {
		s.reader.Close()
		s.writer.Close()
		return nil, err
	}
	s.checkpoint = newCheckpointer(checkpoints, s.logger)
	s.openPreviewCache(ctx)
	return s, nil
}

// openPreviewCache maps the WAL-index header for the cache of previews. The
// cache is an optimisation, so a failure only logs and leaves it off.
func (s *Store) openPreviewCache(ctx context.Context) {
	s.previews = newPreviewCache()

	// The WAL index is the one beside the file that SQLite opened, which
	// is not beside s.path when s.path is a symbolic link. The query also
	// reads the WAL-mode database, so that its WAL index exists.
	var file string
	err := s.writer.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file)
	if err == nil {
		s.walIndex, err = openWALIndex(file)
	}
	if err != nil {
		s.logger.WarnContext(ctx, "sqlite previews will not be cached", "path", s.path, "error", err)
	}
}

func (s *Store) setDefaults() {
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
}

// stmtCacheSize is how many prepared statements each connection keeps for
// reuse, a feature of go-sqlite3 v1.14.53 that _stmt_cache_size turns on. A
// reused statement skips parsing and planning its SQL. Without the cache,
// preparing took about a fifth of the server CPU under bench/release. The
// store runs a few dozen distinct statements, and the driver drops the least
// recently used one when a connection's cache is full.
const stmtCacheSize = "64"

// writerCacheKiB is the page cache of the writer connection, in KiB. Writes
// to random numbers of a large pool touch pages all over the table and its
// indexes, and SQLite's default cache of about 2 MB keeps rereading them.
// On a 10,000,000-number pool, 64 MiB cut the UPDATE of a sweeper batch of
// 500 numbers from 14 to 18 ms to about 10 ms. For an import of 1,000,000
// shuffled rows it cut the system time from 17 s to under 7 s.
const writerCacheKiB = 65536

// writerParams make every acknowledged commit durable, because
// synchronous=FULL syncs the WAL on each commit. They also take the write
// lock at BEGIN, so no other writer can commit between a transaction's reads
// and its writes, and a busy database fails the BEGIN rather than a later
// statement.
func writerParams() url.Values {
	return url.Values{
		"_journal_mode":    {"WAL"},
		"_synchronous":     {"FULL"},
		"_foreign_keys":    {"1"},
		"_busy_timeout":    {strconv.FormatInt(busyTimeout.Milliseconds(), 10)},
		"_txlock":          {"immediate"},
		"_stmt_cache_size": {stmtCacheSize},
		"_cache_size":      {strconv.Itoa(-writerCacheKiB)},
	}
}

// checkpointerParams are those of the checkpointer's connection. Its
// synchronous=FULL makes each checkpoint sync the database file before the
// WAL can be reused.
func checkpointerParams() url.Values {
	return url.Values{
		"_synchronous":  {"FULL"},
		"_busy_timeout": {strconv.FormatInt(busyTimeout.Milliseconds(), 10)},
	}
}

func readerParams() url.Values {
	return url.Values{
		"_query_only":      {"1"},
		"_foreign_keys":    {"1"},
		"_busy_timeout":    {strconv.FormatInt(busyTimeout.Milliseconds(), 10)},
		"_stmt_cache_size": {stmtCacheSize},
	}
}

func openDB(ctx context.Context, driver, path string, params url.Values, conns int) (*sql.DB, error) {
	db, err := sql.Open(driver, dataSourceName(path, params))
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)

	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	return db, nil
}

// dataSourceName builds a file: URI, so that a '?' or '#' in the path is
// taken as part of the file name rather than the start of the parameters.
func dataSourceName(path string, params url.Values) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	return "file:" + escaped + "?" + params.Encode()
}

// Ping checks that both the writer and the readers respond.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer %s: %w", s.path, err)
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite readers %s: %w", s.path, err)
	}
	return nil
}

// Close closes the readers and the checkpointer, then the writer, whose
// last close checkpoints the WAL into the database file. The mapping of the
// WAL index stays, as walIndexes explains.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.checkpoint.close(), s.writer.Close())
}

// write runs fn in one IMMEDIATE transaction on the writer connection.
func (s *Store) write(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	s.restartLongWAL(ctx)
	if err := s.inTx(ctx, s.writer, op, fn); err != nil {
		return err
	}
	s.checkpoint.nudge(s.walBacklog())
	return nil
}

// writeUnsynced runs fn like write, except that its commit does not sync
// the WAL (synchronous=NORMAL). A power failure can then lose it, and only
// work that is done again after a restart may use it, such as returning
// numbers whose cooling-off period is over. Commits of write are never lost
// this way: the WAL is written in commit order, and each synced commit also
// syncs every commit before it. A sweeper batch took 20 ms instead of 23 to
// 30 ms this way on a 10,000,000-number pool.
func (s *Store) writeUnsynced(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	s.restartLongWAL(ctx)

	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return wrapError(op, err)
	}
	defer conn.Close()

	// On any failure the connection is discarded rather than set back to
	// FULL: the setting may have taken effect despite an error, and a
	// transaction cancelled with ctx may still be rolling back, which
	// SQLite requires to end before the setting can change.
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		discardConn(conn)
		return wrapError(op, err)
	}
	if err := s.inTx(ctx, conn, op, fn); err != nil {
		discardConn(conn)
		return err
	}
	s.restoreSync(ctx, conn, op)
	s.checkpoint.nudge(s.walBacklog())
	return nil
}

// restoreSync sets conn back to synchronous=FULL. A connection that cannot
// be set back is discarded, so no later write commits without a sync.
func (s *Store) restoreSync(ctx context.Context, conn *sql.Conn, op string) {
	_, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`)
	if err == nil {
		return
	}
	s.logger.ErrorContext(ctx, "sqlite writer not set back to synchronous=FULL; closing the connection",
		"operation", op, "error", err)
	discardConn(conn)
}

// discardConn closes the connection of conn instead of returning it to its
// pool. database/sql closes a connection whose Raw function returns
// driver.ErrBadConn.
func discardConn(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}

// restartLongWAL waits for a checkpoint of every frame when the WAL has
// reached walRestartFrames, so that the write that follows starts it over.
// A reader still in the WAL can keep frames from being copied; the write
// then goes on, and the writer's own checkpoints bound the WAL.
func (s *Store) restartLongWAL(ctx context.Context) {
	if s.walIndex == nil {
		return
	}
	frames, backfilled, ok := s.walIndex.frames()
	if !ok || frames < walRestartFrames || backfilled >= frames {
		return
	}
	s.checkpoint.catchUp(ctx)
}

// walBacklog returns how many frames of the WAL are not yet in the database
// file, or 0 when that cannot be read.
func (s *Store) walBacklog() uint32 {
	if s.walIndex == nil {
		return 0
	}
	frames, backfilled, ok := s.walIndex.frames()
	if !ok || backfilled >= frames {
		return 0
	}
	return frames - backfilled
}

// read runs fn in one transaction on a reader, so that all its queries see
// one snapshot.
func (s *Store) read(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	return s.inTx(ctx, s.reader, op, fn)
}

// txBeginner is a *sql.DB or a *sql.Conn.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func (s *Store) inTx(ctx context.Context, db txBeginner, op string, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return wrapError(op, err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			s.logger.ErrorContext(ctx, "sqlite rollback failed", "operation", op, "error", rbErr)
		}
		return wrapError(op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrapError(op, err)
	}
	return nil
}
