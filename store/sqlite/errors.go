package sqlite

import (
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"numberpool"
)

// wrapError adds the operation to a failure. Domain errors pass unchanged,
// because their message is already the one for the client. A database
// locked by another process past the busy timeout becomes
// SERVICE_UNAVAILABLE, so that clients retry.
func wrapError(op string, err error) error {
	var domainErr *numberpool.Error
	if errors.As(err, &domainErr) {
		return err
	}
	if isBusy(err) {
		return &numberpool.Error{
			Code:    numberpool.CodeServiceUnavailable,
			Message: "the database is busy; retry the request",
			Err:     fmt.Errorf("%s: %w", op, err),
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// isConstraint reports whether err is the constraint violation code, matched
// by its extended result code.
func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}

// isDuplicate reports whether err violates a primary key or unique index.
func isDuplicate(err error) bool {
	return isConstraint(err, sqlite3.ErrConstraintPrimaryKey) || isConstraint(err, sqlite3.ErrConstraintUnique)
}

func isForeignKey(err error) bool {
	return isConstraint(err, sqlite3.ErrConstraintForeignKey)
}
