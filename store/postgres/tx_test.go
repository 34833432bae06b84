package postgres

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"numberpool"
	"numberpool/store/postgres/pgtest"
)

// lockedBuffer collects log output written from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// openTestStore opens a store on a fresh database and returns it with its
// log output.
func openTestStore(t *testing.T) (*Store, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	s, err := Open(t.Context(), pgtest.NewDatabase(t), Options{
		Clock:  numberpool.NewManualClock(time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)),
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// raise returns a statement that fails with the given SQLSTATE, as the
// server would for a real serialization failure or deadlock.
func raise(code string) string {
	return `DO $$ BEGIN RAISE EXCEPTION 'raised by test' USING ERRCODE = '` + code + `'; END $$`
}

func insertAccount(ctx context.Context, tx pgx.Tx, id string) error {
	_, err := tx.Exec(ctx, `INSERT INTO accounts (id, created_at) VALUES ($1, 1)`, id)
	return err
}

func countAccounts(t *testing.T, s *Store, id string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM accounts WHERE id = $1`, id).Scan(&n); err != nil {
		t.Fatalf("count accounts: %v", err)
	}
	return n
}

func TestInTxRetriesAbortedTransactions(t *testing.T) {
	tests := []struct {
		name     string
		sqlstate string
		failures int
	}{
		{"serialization failure", sqlstateSerializationFailure, 1},
		{"deadlock", sqlstateDeadlockDetected, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, logs := openTestStore(t)
			ctx := t.Context()

			attempts := 0
			err := s.inTx(ctx, "test", func(tx pgx.Tx) error {
				attempts++
				if err := insertAccount(ctx, tx, "acc_retry"); err != nil {
					return err
				}
				if attempts <= tt.failures {
					_, err := tx.Exec(ctx, raise(tt.sqlstate))
					return err
				}
				return nil
			})

			if err != nil {
				t.Fatalf("inTx: %v", err)
			}
			if attempts != tt.failures+1 {
				t.Errorf("attempts = %d, want %d", attempts, tt.failures+1)
			}
			if got := countAccounts(t, s, "acc_retry"); got != 1 {
				t.Errorf("rows written = %d, want 1: failed attempts must leave nothing", got)
			}
			if got := strings.Count(logs.String(), "retrying transaction"); got != tt.failures {
				t.Errorf("retries logged = %d, want %d", got, tt.failures)
			}
		})
	}
}

// TestInTxRetriesRealSerializationFailure provokes the error the server
// raises when a REPEATABLE READ transaction updates a row that another
// transaction changed after its snapshot.
func TestInTxRetriesRealSerializationFailure(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	if _, err := s.pool.Exec(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_a', 1)`); err != nil {
		t.Fatalf("insert account: %v", err)
	}

	var errs []error
	err := s.inTx(ctx, "test", func(tx pgx.Tx) error {
		if len(errs) == 0 {
			if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
				return err
			}
			var createdAt int64
			if err := tx.QueryRow(ctx, `SELECT created_at FROM accounts WHERE id = 'acc_a'`).Scan(&createdAt); err != nil {
				return err
			}
			// Another connection commits a change after the snapshot.
			if _, err := s.pool.Exec(ctx, `UPDATE accounts SET created_at = 2 WHERE id = 'acc_a'`); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE accounts SET created_at = created_at + 10 WHERE id = 'acc_a'`)
		errs = append(errs, err)
		return err
	})

	if err != nil {
		t.Fatalf("inTx: %v", err)
	}
	if len(errs) != 2 {
		t.Fatalf("attempts = %d, want 2", len(errs))
	}
	if got := sqlstate(errs[0]); got != sqlstateSerializationFailure {
		t.Errorf("first attempt failed with SQLSTATE %q (%v), want %s", got, errs[0], sqlstateSerializationFailure)
	}
	var createdAt int64
	if err := s.pool.QueryRow(ctx, `SELECT created_at FROM accounts WHERE id = 'acc_a'`).Scan(&createdAt); err != nil {
		t.Fatalf("read account: %v", err)
	}
	if createdAt != 12 {
		t.Errorf("created_at = %d, want 12: the retry must apply on top of the other change", createdAt)
	}
}

func TestInTxRetriesLostConnection(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()

	attempts := 0
	err := s.inTx(ctx, "test", func(tx pgx.Tx) error {
		attempts++
		if err := insertAccount(ctx, tx, "acc_lost"); err != nil {
			return err
		}
		if attempts == 1 {
			// The second argument makes the server wait up to 5 s until the
			// backend has exited, so the next statement cannot slip in first.
			pid := tx.Conn().PgConn().PID()
			if _, err := s.pool.Exec(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid); err != nil {
				return err
			}
			return insertAccount(ctx, tx, "acc_lost_other")
		}
		return nil
	})

	if err != nil {
		t.Fatalf("inTx: %v", err)
	}
	if attempts != 2 {
		t.Errorf("attempts = %d, want 2", attempts)
	}
	if got := countAccounts(t, s, "acc_lost"); got != 1 {
		t.Errorf("rows written = %d, want 1", got)
	}
}

func TestInTxGivesUpAfterMaxAttempts(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()

	attempts := 0
	err := s.inTx(ctx, "test", func(tx pgx.Tx) error {
		attempts++
		_, err := tx.Exec(ctx, raise(sqlstateSerializationFailure))
		return err
	})

	if attempts != maxAttempts {
		t.Errorf("attempts = %d, want %d", attempts, maxAttempts)
	}
	if got := numberpool.ErrorCode(err); got != numberpool.CodeServiceUnavailable {
		t.Errorf("error code = %s, want SERVICE_UNAVAILABLE (error: %v)", got, err)
	}
	if got := sqlstate(err); got != sqlstateSerializationFailure {
		t.Errorf("SQLSTATE in the error chain = %q, want %s", got, sqlstateSerializationFailure)
	}
}

func TestInTxDoesNotRetry(t *testing.T) {
	notFound := numberpool.NumberNotFound("+14155550100")
	tests := []struct {
		name     string
		fn       func(ctx context.Context, tx pgx.Tx) error
		wantCode numberpool.Code
		sqlstate string
	}{
		{"unique violation", func(ctx context.Context, tx pgx.Tx) error {
			return insertAccount(ctx, tx, "acc_existing")
		}, numberpool.CodeInternal, sqlstateUniqueViolation},
		{"check violation", func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO releases (e164, account_id, purchased_at, released_at,
				cooling_off_days, available_after, early_termination_fee_cents)
				VALUES ('+14155550100', 'acc_existing', 1, 1, -1, 1, 0)`)
			return err
		}, numberpool.CodeInternal, "23514"},
		{"domain error", func(context.Context, pgx.Tx) error {
			return notFound
		}, numberpool.CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := openTestStore(t)
			ctx := t.Context()
			if _, err := s.pool.Exec(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_existing', 1)`); err != nil {
				t.Fatalf("insert account: %v", err)
			}

			attempts := 0
			err := s.inTx(ctx, "test", func(tx pgx.Tx) error {
				attempts++
				return tt.fn(ctx, tx)
			})

			if attempts != 1 {
				t.Errorf("attempts = %d, want 1", attempts)
			}
			if got := numberpool.ErrorCode(err); got != tt.wantCode {
				t.Errorf("error code = %s, want %s (error: %v)", got, tt.wantCode, err)
			}
			if got := sqlstate(err); got != tt.sqlstate {
				t.Errorf("SQLSTATE in the error chain = %q, want %q", got, tt.sqlstate)
			}
		})
	}
}

func TestInTxReturnsDomainErrorUnchanged(t *testing.T) {
	s, _ := openTestStore(t)
	want := numberpool.NumberNotFound("+14155550100")

	err := s.inTx(t.Context(), "test", func(pgx.Tx) error { return want })

	if err != error(want) {
		t.Errorf("inTx error = %#v, want the domain error itself", err)
	}
}

// safeError is a failure that pgconn reports as having happened before any
// byte reached the server.
type safeError struct{}

func (safeError) Error() string     { return "write failed before sending" }
func (safeError) SafeToRetry() bool { return true }

func TestCommitFailure(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantRetry   bool
		wantUnknown bool
		wantCode    numberpool.Code
	}{
		{"serialization failure", &pgconn.PgError{Code: sqlstateSerializationFailure}, true, false, numberpool.CodeServiceUnavailable},
		{"deadlock", &pgconn.PgError{Code: sqlstateDeadlockDetected}, true, false, numberpool.CodeServiceUnavailable},
		{"constraint at commit", &pgconn.PgError{Code: sqlstateForeignKeyViolation}, false, false, numberpool.CodeInternal},
		{"rolled back", pgx.ErrTxCommitRollback, false, false, numberpool.CodeInternal},
		{"never sent", safeError{}, true, false, numberpool.CodeServiceUnavailable},
		{"lost in flight", io.ErrUnexpectedEOF, false, true, numberpool.CodeServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := commitFailure(tt.err)

			var retry *retryError
			if errors.As(got, &retry) != tt.wantRetry {
				t.Errorf("retryable = %v, want %v (error: %v)", !tt.wantRetry, tt.wantRetry, got)
			}
			var unknown *commitUnknownError
			if errors.As(got, &unknown) != tt.wantUnknown {
				t.Errorf("outcome unknown = %v, want %v (error: %v)", !tt.wantUnknown, tt.wantUnknown, got)
			}
			if code := numberpool.ErrorCode(wrap("commit", got)); code != tt.wantCode {
				t.Errorf("code = %s, want %s", code, tt.wantCode)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("error %v does not wrap the cause %v", got, tt.err)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := 1; attempt < maxAttempts; attempt++ {
		ceiling := firstBackoff << (attempt - 1)
		for range 100 {
			if d := backoff(attempt); d < ceiling/2 || d >= ceiling {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s)", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}

func TestClosedStoreUnavailable(t *testing.T) {
	s, _ := openTestStore(t)
	s.Close()
	wantUnavailable(t, s)
}

func TestUnreachableServerUnavailable(t *testing.T) {
	url := "postgres://postgres:not-a-real-secret@" + closedPort(t) + "/numberpool?sslmode=disable&connect_timeout=5"

	t.Run("open", func(t *testing.T) {
		_, err := Open(t.Context(), url, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if got := numberpool.ErrorCode(err); got != numberpool.CodeServiceUnavailable {
			t.Errorf("Open error code = %s, want SERVICE_UNAVAILABLE (error: %v)", got, err)
		}
		if err != nil && strings.Contains(err.Error(), "not-a-real-secret") {
			t.Errorf("Open error %q contains the password", err)
		}
	})

	t.Run("methods", func(t *testing.T) {
		// A pool connects lazily, so this store starts without a server, as
		// a replica does when the database goes away after Open.
		pool, err := pgxpool.New(t.Context(), url)
		if err != nil {
			t.Fatalf("pgxpool.New: %v", err)
		}
		s := &Store{pool: pool, clock: numberpool.SystemClock{}, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		t.Cleanup(func() { s.Close() })
		wantUnavailable(t, s)
	})
}

// closedPort returns a 127.0.0.1 address on which nothing listens: a port
// that the kernel handed out and that was closed again.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func wantUnavailable(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"GetAccount", func() error { _, err := s.GetAccount(ctx, "acc_a"); return err }},
		{"GetNumber", func() error { _, err := s.GetNumber(ctx, "acc_a", "+14155550100"); return err }},
		{"ReleaseNumber", func() error { _, err := s.ReleaseNumber(ctx, "acc_a", "+14155550100"); return err }},
		{"ImportNumbers", func() error { _, err := s.ImportNumbers(ctx, func(func(numberpool.Number) bool) {}); return err }},
	}
	for _, c := range calls {
		if got := numberpool.ErrorCode(c.call()); got != numberpool.CodeServiceUnavailable {
			t.Errorf("%s error code = %s, want SERVICE_UNAVAILABLE", c.name, got)
		}
	}
}

func TestOpenInvalidURLHidesPassword(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"bad port in URL", "postgres://postgres:not-a-real-secret@127.0.0.1:notaport/numberpool"},
		{"bad port in key=value", "host=127.0.0.1 password=not-a-real-secret port=notaport"},
		{"bad escape in password", "postgres://postgres:not-a-real-secret%zz@127.0.0.1/numberpool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(t.Context(), tt.url, quietOptions())
			if err == nil {
				t.Fatal("Open: error = nil, want an invalid connection string error")
			}
			if strings.Contains(err.Error(), "not-a-real-secret") {
				t.Errorf("Open error %q contains the password", err)
			}
		})
	}
}
