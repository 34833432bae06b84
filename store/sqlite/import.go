package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"numberpool"
)

// importBatchSize is the number of rows per INSERT of an import. Multi-row
// INSERTs cut the per-statement overhead of the driver, and 256 rows of 17
// columns stay far below SQLite's default limit of 32766 parameters.
const importBatchSize = 256

const importColumns = `e164, country, type, region, capabilities, monthly_fee_cents, setup_fee_cents,
	status, account_id, trunk_id, application_id, purchased_at, release_id, released_at,
	available_after, created_at, updated_at`

const importColumnCount = 17

// ImportNumbers adds every number of seq in one transaction: all or none.
// A number that already exists, or appears twice, fails the import with
// CONFLICT naming it. An unknown AccountID fails it with NOT_FOUND, and a
// number that numberpool.ValidateImport rejects with VALIDATION_FAILED.
// A released number also gets a release record without a fee, which keeps
// its TrunkID and ApplicationID for a cancel to restore. When ctx ends
// before the commit, nothing is stored. It returns the count added.
func (s *Store) ImportNumbers(ctx context.Context, seq iter.Seq[numberpool.Number]) (int, error) {
	var count int
	err := s.write(ctx, "import numbers", func(tx *sql.Tx) error {
		imp, err := newImporter(ctx, tx, numberpool.NowSeconds(s.clock))
		if err != nil {
			return err
		}
		defer imp.close()

		for n := range seq {
			if err := imp.add(n); err != nil {
				return err
			}
		}
		// seq cancels ctx to abort the import, which flush checks only when
		// rows are pending.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := imp.flush(); err != nil {
			return err
		}
		count = imp.count
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.logger.InfoContext(ctx, "numbers imported", "path", s.path, "count", count)
	return count, nil
}

// importer buffers rows and writes them in multi-row INSERTs inside one
// transaction.
type importer struct {
	ctx     context.Context
	tx      *sql.Tx
	now     int64
	batch   *sql.Stmt // INSERT of importBatchSize rows
	release *sql.Stmt
	pending []numberpool.Number
	args    []any
	count   int
}

func newImporter(ctx context.Context, tx *sql.Tx, now time.Time) (*importer, error) {
	imp := &importer{ctx: ctx, tx: tx, now: now.Unix(), args: make([]any, 0, importBatchSize*importColumnCount)}

	var err error
	imp.batch, err = tx.PrepareContext(ctx, insertNumbersSQL(importBatchSize))
	if err != nil {
		return nil, fmt.Errorf("prepare number insert: %w", err)
	}
	imp.release, err = tx.PrepareContext(ctx, `
		INSERT INTO releases (e164, account_id, purchased_at, released_at, cooling_off_days,
			available_after, early_termination_fee_cents, trunk_id, application_id)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
		RETURNING id`)
	if err != nil {
		imp.batch.Close()
		return nil, fmt.Errorf("prepare release insert: %w", err)
	}
	return imp, nil
}

func (imp *importer) close() {
	imp.batch.Close()
	imp.release.Close()
}

func insertNumbersSQL(rows int) string {
	row := "(?" + strings.Repeat(", ?", importColumnCount-1) + ")"
	return "INSERT INTO numbers (" + importColumns + ") VALUES " + row + strings.Repeat(", "+row, rows-1)
}

func (imp *importer) add(n numberpool.Number) error {
	if err := numberpool.ValidateImport(n); err != nil {
		return err
	}

	var releaseID sql.NullInt64
	if n.Status == numberpool.StatusReleased {
		id, err := imp.insertRelease(n)
		if err != nil {
			return err
		}
		releaseID = sql.NullInt64{Int64: id, Valid: true}
		n.TrunkID, n.ApplicationID = "", ""
	}

	imp.pending = append(imp.pending, n)
	imp.args = append(imp.args,
		n.E164, n.Country, string(n.Type), n.Region, encodeCapabilities(n.Capabilities),
		int64(n.MonthlyFee), int64(n.SetupFee), string(n.Status), nullString(n.AccountID),
		nullString(n.TrunkID), nullString(n.ApplicationID), toUnix(n.PurchasedAt), releaseID,
		toUnix(n.ReleasedAt), toUnix(n.AvailableAfter), imp.now, imp.now)

	if len(imp.pending) == importBatchSize {
		return imp.flush()
	}
	return nil
}

// insertRelease records the release of an imported released number. Its
// cooling-off period is the span between the given times, rounded up to
// whole days.
func (imp *importer) insertRelease(n numberpool.Number) (int64, error) {
	const day = 24 * time.Hour
	coolingOffDays := int64((n.AvailableAfter.Sub(n.ReleasedAt) + day - 1) / day)

	var id int64
	err := imp.release.QueryRowContext(imp.ctx,
		n.E164, n.AccountID, n.PurchasedAt.Unix(), n.ReleasedAt.Unix(), coolingOffDays,
		n.AvailableAfter.Unix(), nullString(n.TrunkID), nullString(n.ApplicationID),
	).Scan(&id)
	if isForeignKey(err) {
		return 0, accountNotFound(n.AccountID)
	}
	if err != nil {
		return 0, fmt.Errorf("insert release of imported number %s: %w", n.E164, err)
	}
	return id, nil
}

// flush inserts the buffered rows.
func (imp *importer) flush() error {
	if len(imp.pending) == 0 {
		return nil
	}
	if err := imp.ctx.Err(); err != nil {
		return err
	}

	var err error
	if len(imp.pending) == importBatchSize {
		_, err = imp.batch.ExecContext(imp.ctx, imp.args...)
	} else {
		_, err = imp.tx.ExecContext(imp.ctx, insertNumbersSQL(len(imp.pending)), imp.args...)
	}
	if err != nil {
		return imp.explain(err)
	}

	imp.count += len(imp.pending)
	imp.pending = imp.pending[:0]
	imp.args = imp.args[:0]
	return nil
}

// explain turns a failed batch into an error naming the row at fault. A
// constraint violation undoes only the failed statement, so the queries
// here still run inside the transaction.
func (imp *importer) explain(err error) error {
	switch {
	case isDuplicate(err):
		e164, found, qerr := imp.findDuplicate()
		if qerr != nil {
			return fmt.Errorf("find the duplicate of a failed number insert: %w", qerr)
		}
		if found {
			return duplicateNumber(e164)
		}
	case isForeignKey(err):
		accountID, found, qerr := imp.findUnknownAccount()
		if qerr != nil {
			return fmt.Errorf("find the unknown account of a failed number insert: %w", qerr)
		}
		if found {
			return accountNotFound(accountID)
		}
	}
	return fmt.Errorf("insert %d imported numbers: %w", len(imp.pending), err)
}

func duplicateNumber(e164 string) *numberpool.Error {
	return numberpool.ImportConflict(e164)
}

// findDuplicate returns the first buffered number that is already stored or
// appears earlier in the buffer.
func (imp *importer) findDuplicate() (string, bool, error) {
	seen := make(map[string]bool, len(imp.pending))
	for _, n := range imp.pending {
		if seen[n.E164] {
			return n.E164, true, nil
		}
		seen[n.E164] = true

		var one int
		err := imp.tx.QueryRowContext(imp.ctx, `SELECT 1 FROM numbers WHERE e164 = ?`, n.E164).Scan(&one)
		if err == nil {
			return n.E164, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, err
		}
	}
	return "", false, nil
}

// findUnknownAccount returns the first buffered account id that does not
// exist.
func (imp *importer) findUnknownAccount() (string, bool, error) {
	for _, n := range imp.pending {
		if n.AccountID == "" {
			continue
		}
		var one int
		err := imp.tx.QueryRowContext(imp.ctx, `SELECT 1 FROM accounts WHERE id = ?`, n.AccountID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return n.AccountID, true, nil
		}
		if err != nil {
			return "", false, err
		}
	}
	return "", false, nil
}

// ScanNumbers passes every number to fn in E.164 order, from one read
// transaction, which keeps the WAL from being reset while it runs.
func (s *Store) ScanNumbers(ctx context.Context, fn func(numberpool.Number) error) error {
	return s.read(ctx, "scan numbers", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT e164, country, type, status, coalesce(account_id, '') FROM numbers ORDER BY e164`)
		if err != nil {
			return err
		}
		defer rows.Close()

		for rows.Next() {
			var n numberpool.Number
			if err := rows.Scan(&n.E164, &n.Country, &n.Type, &n.Status, &n.AccountID); err != nil {
				return err
			}
			if err := fn(n); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
