package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"numberpool"
)

// Retry limits of inTx. The waits between five attempts add at most
// 10+20+40+80 = 150 ms to a request that loses every race.
const (
	maxAttempts  = 5
	firstBackoff = 10 * time.Millisecond
)

// SQLSTATE codes that the store acts on.
const (
	sqlstateSerializationFailure = "40001"
	sqlstateDeadlockDetected     = "40P01"
	sqlstateUniqueViolation      = "23505"
	sqlstateForeignKeyViolation  = "23503"
	sqlstateTooManyConnections   = "53300"
	sqlstateAdminShutdown        = "57P01"
	sqlstateCrashShutdown        = "57P02"
	sqlstateCannotConnectNow     = "57P03"
)

// retryError marks a failed attempt that left nothing behind in the
// database, so running the whole transaction again is safe.
type retryError struct{ err error }

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// commitUnknownError is a COMMIT that was sent but whose response never
// arrived. The transaction may or may not have been applied, so it must not
// be run again.
type commitUnknownError struct{ err error }

func (e *commitUnknownError) Error() string {
	return "outcome of COMMIT unknown: " + e.err.Error()
}
func (e *commitUnknownError) Unwrap() error { return e.err }

// inTx runs fn in a READ COMMITTED transaction and commits it. When
// PostgreSQL aborts the transaction with a serialization failure or a
// deadlock, or the connection is lost before COMMIT is sent, inTx runs fn
// again in a new transaction, up to maxAttempts runs in all. So fn must read
// everything it decides on inside tx, and must leave no effect outside it.
//
// op names the operation and its ids for errors and logs. A numberpool.Error
// from fn is returned unchanged. Every other failure is returned as
// SERVICE_UNAVAILABLE or INTERNAL_ERROR.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	return s.transact(ctx, op, maxAttempts, fn)
}

// transact is inTx with a limit of attempts.
func (s *Store) transact(ctx context.Context, op string, attempts int, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil {
			return nil
		}

		var retry *retryError
		if !errors.As(err, &retry) || attempt >= attempts || ctx.Err() != nil {
			return wrap(op, err)
		}

		s.logger.WarnContext(ctx, "retrying transaction", "operation", op, "attempt", attempt,
			"sqlstate", sqlstate(err), "error", err)
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return wrap(op, err)
		}
	}
}

// runTx makes one attempt and marks its failure retryable when nothing of it
// can have been committed.
func (s *Store) runTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		if ctx.Err() == nil && beginLostConnection(err) {
			return &retryError{err}
		}
		return err
	}

	if err := fn(tx); err != nil {
		// pgconn marks a connection closed as soon as a read or write on it
		// fails. Rollback hands it back to the pool, so it is checked first.
		lost := tx.Conn().IsClosed() || connectionClass(sqlstate(err))
		_ = tx.Rollback(ctx)

		var domainErr *numberpool.Error
		if errors.As(err, &domainErr) {
			return err
		}
		if ctx.Err() == nil && (abortedByServer(err) || lost) {
			return &retryError{err}
		}
		return err
	}

	return commit(ctx, tx)
}

// commit sends COMMIT and sorts its failure with commitFailure.
func commit(ctx context.Context, tx pgx.Tx) error {
	if err := tx.Commit(ctx); err != nil {
		return commitFailure(err)
	}
	return nil
}

// commitFailure sorts a failed COMMIT into three cases. Rolled back: the
// server responded with an error, retried when it is a serialization
// failure or a deadlock. Never sent: retried. Unknown: never retried.
func commitFailure(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		if abortedByServer(err) {
			return &retryError{err}
		}
		return err
	case errors.Is(err, pgx.ErrTxCommitRollback):
		return err
	case pgconn.SafeToRetry(err):
		return &retryError{err}
	}
	return &commitUnknownError{err}
}

// abortedByServer reports whether PostgreSQL rolled the transaction back for
// a reason that a new attempt may not meet again.
func abortedByServer(err error) bool {
	switch sqlstate(err) {
	case sqlstateSerializationFailure, sqlstateDeadlockDetected:
		return true
	}
	return false
}

// beginLostConnection reports whether BEGIN failed on a pooled connection
// that had died. A server that cannot be reached at all (a connect error) or
// a closed pool is not retried, so that callers learn of it at once.
func beginLostConnection(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || errors.Is(err, puddle.ErrClosedPool) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return connectionClass(pgErr.Code)
	}
	// BEGIN changes nothing, so a connection that broke under it may have
	// received it without harm.
	return pgconn.SafeToRetry(err) || connectionLost(err)
}

// connectionClass reports whether code means that the server ended or
// refused the session rather than failing a statement.
func connectionClass(code string) bool {
	switch code {
	case sqlstateAdminShutdown, sqlstateCrashShutdown, sqlstateCannotConnectNow, sqlstateTooManyConnections:
		return true
	}
	return len(code) == 5 && code[:2] == "08"
}

func sqlstate(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// backoff returns a random wait between half and all of firstBackoff doubled
// for each attempt made, so that replicas that collided do not collide again.
func backoff(attempt int) time.Duration {
	ceiling := firstBackoff << (attempt - 1)
	return ceiling/2 + rand.N(ceiling/2)
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wrap turns a failure of op into a numberpool.Error. Errors that already
// carry a code (the domain's NOT_FOUND, CONFLICT and so on) pass unchanged.
func wrap(op string, err error) error {
	var domainErr *numberpool.Error
	if errors.As(err, &domainErr) {
		return err
	}

	cause := fmt.Errorf("%s: %w", op, err)
	var unknown *commitUnknownError
	switch {
	case errors.As(err, &unknown):
		return &numberpool.Error{
			Code:    numberpool.CodeServiceUnavailable,
			Message: "the database connection was lost while the change was being committed, so it may or may not have been applied: read the current state before retrying",
			Err:     cause,
		}
	case unavailable(err):
		return &numberpool.Error{
			Code:    numberpool.CodeServiceUnavailable,
			Message: "the database is unavailable: try again later",
			Err:     cause,
		}
	}
	return &numberpool.Error{Code: numberpool.CodeInternal, Message: "internal database error", Err: cause}
}

// unavailable reports whether err is a failure that waiting may cure: no
// connection to the server, a lost one, a timeout, or a transaction that
// kept losing races after every retry.
func unavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	var retry *retryError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connectErr), errors.As(err, &retry), errors.Is(err, puddle.ErrClosedPool):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		return connectionClass(pgErr.Code) || abortedByServer(err)
	}
	return pgconn.SafeToRetry(err) || connectionLost(err)
}
