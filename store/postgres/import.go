package postgres

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

// importColumns are the columns of the import_numbers staging table that
// importSource fills, in its order.
var importColumns = []string{
	"ord", "e164", "country", "type", "region", "capabilities", "monthly_fee_cents",
	"setup_fee_cents", "status", "account_id", "trunk_id", "application_id", "purchased_at",
	"released_at", "available_after", "cooling_off_days",
}

// ImportNumbers adds every number of seq in one transaction: all or none. A
// number that already exists, or appears twice, fails the import with
// CONFLICT naming it, an unknown AccountID fails it with NOT_FOUND naming
// the account, and a number that numberpool.ValidateImport rejects fails it
// with VALIDATION_FAILED. A released number also gets a release record that
// holds its TrunkID and ApplicationID for a cancel to restore, with no fee.
// When ctx ends before the commit, nothing is stored. It returns the count
// added.
//
// Unlike the transitions, an import is never retried, because seq may be a
// stream that can be read only once.
func (s *Store) ImportNumbers(ctx context.Context, seq iter.Seq[numberpool.Number]) (int, error) {
	var count int
	err := s.transact(ctx, "import numbers", 1, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		err := stageImport(ctx, tx, seq)
		// seq cancels ctx to abort the import. During the COPY, pgx closes the
		// connection and reports that instead of the cancel.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			return err
		}

		count, err = insertImport(ctx, tx, now)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.logger.InfoContext(ctx, "numbers imported", "count", count)
	return count, nil
}

// stageImport copies seq into a temporary table that COMMIT drops. The
// table has no constraints, so that a failed import can be searched for its
// first bad row.
func stageImport(ctx context.Context, tx pgx.Tx, seq iter.Seq[numberpool.Number]) error {
	const create = `
		CREATE TEMPORARY TABLE import_numbers (
			ord BIGINT NOT NULL, e164 TEXT NOT NULL, country TEXT NOT NULL, type TEXT NOT NULL,
			region TEXT NOT NULL, capabilities SMALLINT NOT NULL, monthly_fee_cents BIGINT NOT NULL,
			setup_fee_cents BIGINT NOT NULL, status TEXT NOT NULL, account_id TEXT,
			trunk_id TEXT, application_id TEXT, purchased_at BIGINT, released_at BIGINT,
			available_after BIGINT, cooling_off_days INTEGER, release_id BIGINT
		) ON COMMIT DROP`
	// The exec mode keeps these statements out of the connection's cache of
	// prepared statements, which would outlive the table.
	if _, err := tx.Exec(ctx, create, pgx.QueryExecModeExec); err != nil {
		return err
	}

	next, stop := iter.Pull(seq)
	defer stop()
	source := &importSource{next: next}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_numbers"}, importColumns, source)
	if source.err != nil {
		// A failing source makes the server abort the COPY, and its error
		// repeats ours only as text.
		return source.err
	}
	return err
}

// checkImport fails with the problem of the first staged row, in the order
// of seq, that cannot be inserted.
func checkImport(ctx context.Context, tx pgx.Tx) error {
	// Only a failed import pays for the index that the search for a
	// duplicate needs.
	if _, err := tx.Exec(ctx, `CREATE INDEX ON import_numbers (e164)`, pgx.QueryExecModeExec); err != nil {
		return err
	}

	duplicate, duplicateOrd, err := firstDuplicate(ctx, tx)
	if err != nil {
		return err
	}

	const unknownAccount = `
		SELECT s.ord, s.account_id FROM import_numbers s
		WHERE s.account_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id)
		ORDER BY s.ord LIMIT 1`
	var accountOrd int64
	var accountID string
	err = tx.QueryRow(ctx, unknownAccount, pgx.QueryExecModeExec).Scan(&accountOrd, &accountID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	accountMissing := err == nil

	switch {
	case duplicate != "" && (!accountMissing || duplicateOrd < accountOrd):
		return duplicateNumber(duplicate)
	case accountMissing:
		return accountNotFound(accountID)
	}
	return nil
}

// firstDuplicate returns the first staged number that is already stored or
// occurs earlier in the import, or "" when there is none.
func firstDuplicate(ctx context.Context, tx pgx.Tx) (string, int64, error) {
	const query = `
		SELECT s.e164, s.ord FROM import_numbers s
		WHERE EXISTS (SELECT 1 FROM numbers n WHERE n.e164 = s.e164)
		   OR EXISTS (SELECT 1 FROM import_numbers p WHERE p.e164 = s.e164 AND p.ord < s.ord)
		ORDER BY s.ord LIMIT 1`
	var e164 string
	var ord int64
	err := tx.QueryRow(ctx, query, pgx.QueryExecModeExec).Scan(&e164, &ord)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	}
	return e164, ord, err
}

func duplicateNumber(e164 string) *numberpool.Error {
	return numberpool.ImportConflict(e164)
}

// insertImport moves the staged rows into releases and numbers inside a
// savepoint. When a duplicate number or an unknown account makes the insert
// fail, the savepoint is rolled back and checkImport names the first bad
// row. A concurrent import whose duplicate makes the insert fail has
// committed by then, so the check finds its row too.
func insertImport(ctx context.Context, tx pgx.Tx, now time.Time) (int, error) {
	savepoint, err := tx.Begin(ctx)
	if err != nil {
		return 0, err
	}
	count, err := insertStaged(ctx, savepoint, now)
	if err == nil {
		return count, savepoint.Commit(ctx)
	}
	if rollbackErr := savepoint.Rollback(ctx); rollbackErr != nil {
		return 0, errors.Join(err, rollbackErr)
	}

	switch sqlstate(err) {
	case sqlstateUniqueViolation, sqlstateForeignKeyViolation:
		if checkErr := checkImport(ctx, tx); checkErr != nil {
			return 0, checkErr
		}
	}
	return 0, err
}

func insertStaged(ctx context.Context, tx pgx.Tx, now time.Time) (int, error) {
	// e164 links each new release to its staged row. Should a number occur
	// twice, the insert into numbers below fails anyway.
	const insertReleases = `
		WITH inserted AS (
			INSERT INTO releases (e164, account_id, purchased_at, released_at, cooling_off_days,
				available_after, early_termination_fee_cents, trunk_id, application_id)
			SELECT e164, account_id, purchased_at, released_at, cooling_off_days,
				available_after, 0, trunk_id, application_id
			FROM import_numbers WHERE status = 'released' ORDER BY ord
			RETURNING id, e164
		)
		UPDATE import_numbers s SET release_id = inserted.id
		FROM inserted WHERE s.e164 = inserted.e164`
	if _, err := tx.Exec(ctx, insertReleases, pgx.QueryExecModeExec); err != nil {
		return 0, err
	}

	// A released number's assignments live in its release until a cancel.
	const insertNumbers = `
		INSERT INTO numbers (e164, country, type, region, capabilities, monthly_fee_cents,
			setup_fee_cents, status, account_id, trunk_id, application_id, purchased_at,
			release_id, released_at, available_after, created_at, updated_at)
		SELECT e164, country, type, region, capabilities, monthly_fee_cents, setup_fee_cents,
			status, account_id,
			CASE WHEN status = 'released' THEN NULL ELSE trunk_id END,
			CASE WHEN status = 'released' THEN NULL ELSE application_id END,
			purchased_at, release_id, released_at, available_after, $1, $1
		FROM import_numbers`
	tag, err := tx.Exec(ctx, insertNumbers, pgx.QueryExecModeExec, now.Unix())
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// importSource feeds the numbers of an import to COPY, one row of
// importColumns each, and stops at the first invalid number.
type importSource struct {
	next func() (numberpool.Number, bool)
	ord  int64
	row  []any
	err  error
}

func (s *importSource) Next() bool {
	n, ok := s.next()
	if !ok {
		return false
	}
	s.ord++
	s.row, s.err = importRow(n, s.ord)
	return s.err == nil
}

func (s *importSource) Values() ([]any, error) { return s.row, s.err }

func (s *importSource) Err() error { return s.err }

// importRow validates n, the ord-th number of an import, and returns its
// staging row.
func importRow(n numberpool.Number, ord int64) ([]any, error) {
	if err := numberpool.ValidateImport(n); err != nil {
		return nil, err
	}
	capabilities := capabilitiesToBits(n.Capabilities)

	var coolingOffDays *int64
	if n.Status == numberpool.StatusReleased {
		// The period in force at the release is not known, so it is the span
		// between the given times, rounded up to whole days.
		const day = 24 * time.Hour
		days := int64((n.AvailableAfter.Sub(n.ReleasedAt) + day - 1) / day)
		coolingOffDays = &days
	}

	return []any{ord, n.E164, n.Country, string(n.Type), n.Region, capabilities,
		int64(n.MonthlyFee), int64(n.SetupFee), string(n.Status), nullIfEmpty(n.AccountID),
		nullIfEmpty(n.TrunkID), nullIfEmpty(n.ApplicationID), unixSeconds(n.PurchasedAt),
		unixSeconds(n.ReleasedAt), unixSeconds(n.AvailableAfter), coolingOffDays}, nil
}

// ScanNumbers passes every number to fn in E.164 order, from one snapshot.
// It makes one attempt, since fn may have effects that a retry would repeat.
func (s *Store) ScanNumbers(ctx context.Context, fn func(numberpool.Number) error) error {
	return s.transact(ctx, "scan numbers", 1, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
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
