package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"numberpool"
)

var _ numberpool.PoolStore = (*Store)(nil)

// searchTerms builds the filter terms of a search from constant SQL
// fragments, one per filter that q uses, with every value bound as a named
// parameter. Input chooses which fragments appear but never adds text to
// the query.
func searchTerms(q numberpool.SearchQuery) (string, []any) {
	terms := []string{"country = :country"}
	args := []any{sql.Named("country", q.Country)}

	if q.NSNPrefix != "" {
		terms = append(terms, "nsn >= :prefix AND nsn < :prefix_end")
		args = append(args, sql.Named("prefix", q.NSNPrefix), sql.Named("prefix_end", numberpool.NSNPrefixEnd(q.NSNPrefix)))
	}
	if q.Type != "" {
		terms = append(terms, "type = :type")
		args = append(args, sql.Named("type", string(q.Type)))
	}
	if bits := encodeCapabilities(q.Capabilities); bits != 0 {
		terms = append(terms, "capabilities & :capabilities = :capabilities")
		args = append(args, sql.Named("capabilities", bits))
	}
	for i, p := range q.NSNPatterns {
		name := fmt.Sprintf("nsn_pattern_%d", i)
		terms = append(terms, "nsn LIKE :"+name)
		args = append(args, sql.Named(name, p))
	}
	for i, p := range q.E164Patterns {
		name := fmt.Sprintf("e164_pattern_%d", i)
		terms = append(terms, "e164 LIKE :"+name)
		args = append(args, sql.Named(name, p))
	}
	return strings.Join(terms, " AND "), args
}

// Both arms of a search: the available numbers, read from numbers_pool or
// numbers_pool_type, and the released numbers whose cooling-off period has
// ended by :now, which the sweeper has not yet rewritten. The second arm
// reads numbers_cooling_off and holds few rows while the sweeper runs.
const (
	availableArm = `FROM numbers WHERE status = 'available' AND `
	cooledArm    = `FROM numbers WHERE status = 'released' AND available_after <= :now AND `
)

// searchPageSQL merges the arms in the order of the indexes. SQLite merges
// the two sorted arms of a compound SELECT and stops after the page.
func searchPageSQL(terms string) string {
	return `SELECT ` + numberColumns + `, nsn ` + availableArm + terms + `
		UNION ALL
		SELECT ` + numberColumns + `, nsn ` + cooledArm + terms + `
		ORDER BY nsn, e164
		LIMIT :limit OFFSET :offset`
}

// searchCountSQL counts at most :cap + 1 matches of each arm, so a count
// never reads more than that many index entries of the available arm.
func searchCountSQL(terms string) string {
	return `SELECT
		(SELECT count(*) FROM (SELECT 1 ` + availableArm + terms + ` LIMIT :cap + 1)) +
		(SELECT count(*) FROM (SELECT 1 ` + cooledArm + terms + ` LIMIT :cap + 1))`
}

// SearchInventory returns one page of the numbers available at now that
// match f, ordered by national significant number, then E.164, with a total
// counted up to numberpool.SearchTotalCap.
func (s *Store) SearchInventory(ctx context.Context, f numberpool.SearchFilter) (numberpool.SearchPage, error) {
	q, err := f.Query()
	if err != nil {
		return numberpool.SearchPage{}, err
	}

	terms, args := searchTerms(q)
	page := numberpool.SearchPage{Numbers: []numberpool.Number{}}
	err = s.read(ctx, "search inventory of "+q.Country, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		args = append(args, sql.Named("now", now.Unix()))

		var total int
		countArgs := append(args, sql.Named("cap", numberpool.SearchTotalCap))
		if err := tx.QueryRowContext(ctx, searchCountSQL(terms), countArgs...).Scan(&total); err != nil {
			return fmt.Errorf("count matches: %w", err)
		}
		page.Total, page.TotalCapped = min(total, numberpool.SearchTotalCap), total > numberpool.SearchTotalCap

		pageArgs := append(args, sql.Named("limit", q.Limit), sql.Named("offset", q.Offset))
		page.Numbers, err = querySearchPage(ctx, tx, searchPageSQL(terms), pageArgs)
		return err
	})
	return page, err
}

// ExplainSearch returns the plan SQLite chooses for the page query of f, one
// line per step of EXPLAIN QUERY PLAN, for tests and benchmarks.
func (s *Store) ExplainSearch(ctx context.Context, f numberpool.SearchFilter) (string, error) {
	q, err := f.Query()
	if err != nil {
		return "", err
	}
	terms, args := searchTerms(q)
	args = append(args, sql.Named("now", 0), sql.Named("limit", q.Limit), sql.Named("offset", q.Offset))
	rows, err := s.reader.QueryContext(ctx, `EXPLAIN QUERY PLAN `+searchPageSQL(terms), args...)
	if err != nil {
		return "", wrapError("explain search", err)
	}
	defer rows.Close()

	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", wrapError("explain search", err)
		}
		plan.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		return "", wrapError("explain search", err)
	}
	return plan.String(), nil
}

func querySearchPage(ctx context.Context, tx *sql.Tx, query string, args []any) ([]numberpool.Number, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query page: %w", err)
	}
	defer rows.Close()

	numbers := []numberpool.Number{}
	for rows.Next() {
		var nsn string
		row, err := scanNumber(withExtra{rows, &nsn})
		if err != nil {
			return nil, fmt.Errorf("scan page: %w", err)
		}
		numbers = append(numbers, poolView(row.Number))
	}
	return numbers, rows.Err()
}

// withExtra scans the columns of scanNumber followed by more columns.
type withExtra struct {
	sc    scanner
	extra any
}

func (w withExtra) Scan(dest ...any) error {
	return w.sc.Scan(append(dest, w.extra)...)
}

// poolView returns n as the pool offers it: available, with no trace of the
// account that released it.
func poolView(n numberpool.Number) numberpool.Number {
	n.Status = numberpool.StatusAvailable
	n.AccountID, n.TrunkID, n.ApplicationID = "", "", ""
	n.PurchasedAt, n.ReleasedAt, n.AvailableAfter = time.Time{}, time.Time{}, time.Time{}
	return n
}

// PurchaseNumber sells e164 to accountID in one transaction. A released
// number whose cooling-off period has ended is finalised first: its release
// gets returned_at. It returns NOT_FOUND, VALIDATION_FAILED or CONFLICT as
// numberpool.PoolStore describes.
func (s *Store) PurchaseNumber(ctx context.Context, accountID, e164, country string) (numberpool.Number, error) {
	var bought numberpool.Number
	err := s.write(ctx, "purchase "+e164+" by account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		row, err := scanNumber(tx.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = ?`, e164))
		if errors.Is(err, sql.ErrNoRows) {
			return numberpool.NotInInventory(e164)
		}
		if err != nil {
			return fmt.Errorf("read number: %w", err)
		}
		if err := numberpool.PlanPurchase(row.Number, accountID, country, now); err != nil {
			return err
		}

		if row.releaseID != 0 {
			if err := markReturned(ctx, tx, []int64{row.releaseID}, now); err != nil {
				return err
			}
		}
		bought = numberpool.Purchased(row.Number, accountID, now)
		return storePurchase(ctx, tx, bought, row.releaseID, now)
	})
	return bought, err
}

// storePurchase writes the purchase, guarded by the state PlanPurchase
// accepted: available, or released by the same release with its cooling-off
// period over.
func storePurchase(ctx context.Context, tx *sql.Tx, n numberpool.Number, releaseID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'active', account_id = :account, purchased_at = :now, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = :now
		WHERE e164 = :e164
		  AND (status = 'available' OR (status = 'released' AND release_id = :release AND available_after <= :now))`,
		sql.Named("account", n.AccountID), sql.Named("now", now.Unix()), sql.Named("e164", n.E164),
		sql.Named("release", releaseID))
	if err := expectOneRow(res, err, n.E164); err != nil {
		return err
	}

	charge, ok := numberpool.SetupFeeCharge(n)
	if !ok {
		return nil
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO charges (account_id, e164, kind, amount_cents, created_at)
		VALUES (?, ?, ?, ?, ?)`,
		charge.AccountID, charge.E164, string(charge.Kind), int64(charge.Amount), charge.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("insert setup fee charge: %w", err)
	}
	return nil
}

// markReturned records that the releases ids returned their numbers to the
// pool at now. The ids travel as one JSON array, so the statement has one
// parameter whatever their count.
func markReturned(ctx context.Context, tx *sql.Tx, ids []int64, now time.Time) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode release ids: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE releases SET returned_at = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND returned_at IS NULL AND cancelled_at IS NULL`,
		now.Unix(), string(list))
	if err != nil {
		return fmt.Errorf("mark releases returned: %w", err)
	}
	return nil
}

// Sweep returns up to limit numbers whose cooling-off period ended by now
// to the pool, oldest first, in one write transaction. Keep limit small
// enough that the transaction is short, because releases and purchases wait
// for the one writer while it runs.
func (s *Store) Sweep(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("sweep: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.write(ctx, "sweep cooled-off numbers", func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		due, err := dueNumbers(ctx, tx, now, limit)
		if err != nil || len(due.rowIDs) == 0 {
			return err
		}
		if err := markReturned(ctx, tx, due.releaseIDs, now); err != nil {
			return err
		}
		count, err = returnNumbers(ctx, tx, due.rowIDs, now)
		return err
	})
	return count, err
}

// dueBatch is a batch of released numbers whose cooling-off period is over:
// the rowids of their rows and the ids of their releases.
type dueBatch struct {
	rowIDs, releaseIDs []int64
}

func dueNumbers(ctx context.Context, tx *sql.Tx, now time.Time, limit int) (dueBatch, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT rowid, release_id FROM numbers
		WHERE status = 'released' AND available_after <= ?
		ORDER BY available_after
		LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return dueBatch{}, fmt.Errorf("select cooled-off numbers: %w", err)
	}
	defer rows.Close()

	var due dueBatch
	for rows.Next() {
		var rowID, releaseID int64
		if err := rows.Scan(&rowID, &releaseID); err != nil {
			return dueBatch{}, fmt.Errorf("scan cooled-off number: %w", err)
		}
		due.rowIDs = append(due.rowIDs, rowID)
		due.releaseIDs = append(due.releaseIDs, releaseID)
	}
	return due, rows.Err()
}

// returnNumbers rewrites the rows rowIDs to available. The guard repeats the
// cooling-off check, so a number is never returned early.
func returnNumbers(ctx context.Context, tx *sql.Tx, rowIDs []int64, now time.Time) (int, error) {
	list, err := json.Marshal(rowIDs)
	if err != nil {
		return 0, fmt.Errorf("encode row ids: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'available', account_id = NULL, purchased_at = NULL, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = :now
		WHERE rowid IN (SELECT value FROM json_each(:ids))
		  AND status = 'released' AND available_after <= :now`,
		sql.Named("now", now.Unix()), sql.Named("ids", string(list)))
	if err != nil {
		return 0, fmt.Errorf("return numbers to the pool: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("return numbers to the pool: %w", err)
	}
	return int(n), nil
}
