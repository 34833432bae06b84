package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"numberpool"
)

// policyFor returns the policy of n. A released number keeps the cooling-off
// period stored with its release, even when the policies changed since.
func (s *Store) policyFor(ctx context.Context, tx *sql.Tx, n numberRow, now time.Time) (numberpool.Policy, error) {
	p := s.policies.For(n.Country, n.Type)
	if n.StatusAt(now) != numberpool.StatusReleased {
		return p, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT cooling_off_days FROM releases WHERE id = ?`, n.releaseID).
		Scan(&p.CoolingOffDays)
	if err != nil {
		return numberpool.Policy{}, fmt.Errorf("read release %d: %w", n.releaseID, err)
	}
	return p, nil
}

// previewQuery reads, in one statement and so from one snapshot, the number
// ?1 with its guards (see guardColumns), the cooling-off days stored with
// its current release, and the names of its trunk and application.
const previewQuery = `SELECT ` + numberColumns + `,` + guardColumns + `,
	(SELECT cooling_off_days FROM releases WHERE id = numbers.release_id),
	(SELECT name FROM trunks WHERE id = numbers.trunk_id AND account_id = ?2 AND deleted_at IS NULL),
	(SELECT name FROM applications WHERE id = numbers.application_id AND account_id = ?2 AND deleted_at IS NULL)
FROM numbers WHERE e164 = ?1`

// PreviewRelease returns what a release of e164 would do now, or NOT_FOUND
// when the account does not hold it.
//
// Most numbers have no hold, and their preview is one statement outside any
// explicit transaction: SQLite runs a statement on one snapshot. A number
// with a hold needs a second statement for the holds, so its preview is
// read again inside a read transaction.
func (s *Store) PreviewRelease(ctx context.Context, accountID, e164 string) (numberpool.Preview, error) {
	op := "preview release of " + e164 + " by account " + accountID
	now := numberpool.NowSeconds(s.clock)
	preview, onHold, err := s.previewOneStatement(ctx, accountID, e164, now)
	if err != nil {
		return numberpool.Preview{}, wrapError(op, err)
	}
	if !onHold {
		return preview, nil
	}
	return s.previewInTx(ctx, op, accountID, e164)
}

// previewOneStatement returns the preview of e164 from previewQuery, or
// from the facts that the cache of previews holds when no commit happened
// since they were read. When a hold is in force it returns onHold true and
// no preview, because the statement does not read the reasons of holds.
func (s *Store) previewOneStatement(ctx context.Context, accountID, e164 string, now time.Time) (numberpool.Preview, bool, error) {
	key := previewKey(accountID, e164)
	version, versioned := s.walVersion()
	if versioned {
		if facts, ok := s.previews.lookup(key, version, now); ok {
			return s.previewOf(facts, accountID, e164, now)
		}
	}

	facts, err := s.readPreviewFacts(ctx, accountID, e164, now)
	if errors.Is(err, sql.ErrNoRows) {
		return numberpool.Preview{}, false, numberpool.NumberNotFound(e164)
	}
	if err != nil {
		return numberpool.Preview{}, false, err
	}
	if versioned {
		s.previews.store(key, version, facts)
	}
	return s.previewOf(facts, accountID, e164, now)
}

// readPreviewFacts reads the facts of a preview of e164 at now with
// previewQuery.
func (s *Store) readPreviewFacts(ctx context.Context, accountID, e164 string, now time.Time) (previewFacts, error) {
	f := previewFacts{readAt: now}
	var err error
	f.row, err = scanNumber(rowScanner(func(dest ...any) error {
		dest = append(dest, &f.guards.ActiveCalls, &f.guards.ReleaseProtection, &f.onHold, &f.coolingOffDays, &f.trunkName, &f.appName)
		return s.reader.QueryRowContext(ctx, previewQuery, e164, accountID, s.callsStartedAfter(now)).Scan(dest...)
	}))
	return f, err
}

// previewOf computes the preview of e164 for accountID at now from facts,
// without I/O.
func (s *Store) previewOf(f previewFacts, accountID, e164 string, now time.Time) (numberpool.Preview, bool, error) {
	row := f.row
	if !row.OwnedBy(accountID, now) {
		return numberpool.Preview{}, false, numberpool.NumberNotFound(e164)
	}
	if f.onHold {
		return numberpool.Preview{}, true, nil
	}

	policy := s.policies.For(row.Country, row.Type)
	if row.StatusAt(now) == numberpool.StatusReleased {
		if !f.coolingOffDays.Valid {
			return numberpool.Preview{}, false, fmt.Errorf("read release %d: %w", row.releaseID, sql.ErrNoRows)
		}
		policy.CoolingOffDays = int(f.coolingOffDays.Int64)
	}
	g := f.guards
	g.Holds = []numberpool.Hold{}
	preview := numberpool.PreviewRelease(row.Number, policy, g.Blockers(), now)
	if route, ok := numberpool.RouteOf(row.Number); ok {
		route.Name = f.trunkName.String
		if route.Kind == numberpool.RouteApplication {
			route.Name = f.appName.String
		}
		preview = numberpool.AddRouteWarning(preview, route)
	}
	return preview, false, nil
}

// rowScanner lets scanNumber read a row that has more columns after
// numberColumns: the function receives scanNumber's destinations and adds
// its own.
type rowScanner func(dest ...any) error

func (f rowScanner) Scan(dest ...any) error { return f(dest...) }

// previewInTx reads the preview of e164 with one statement per fact, all in
// one read transaction.
func (s *Store) previewInTx(ctx context.Context, op, accountID, e164 string) (numberpool.Preview, error) {
	var preview numberpool.Preview
	err := s.read(ctx, op, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, err := heldNumber(ctx, tx, accountID, e164, now)
		if err != nil {
			return err
		}
		policy, err := s.policyFor(ctx, tx, n, now)
		if err != nil {
			return err
		}
		found, err := s.blockers(ctx, tx, n.Number, now)
		if err != nil {
			return err
		}
		preview = numberpool.PreviewRelease(n.Number, policy, found, now)
		route, routed, err := routeOf(ctx, tx, n.Number)
		if routed {
			preview = numberpool.AddRouteWarning(preview, route)
		}
		return err
	})
	return preview, err
}

// ReleaseNumber releases e164: it records the release with the assignments
// it removes, marks the number released and charges the early termination
// fee when one is owed. It returns NOT_FOUND, CONFLICT when the number is
// already released, or RELEASE_BLOCKED.
func (s *Store) ReleaseNumber(ctx context.Context, accountID, e164 string) (numberpool.Release, error) {
	var release numberpool.Release
	err := s.write(ctx, "release "+e164+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, err := heldNumber(ctx, tx, accountID, e164, now)
		if err != nil {
			return err
		}
		found, err := s.blockers(ctx, tx, n.Number, now)
		if err != nil {
			return err
		}
		release, err = numberpool.PlanRelease(n.Number, s.policies.For(n.Country, n.Type), found, now)
		if err != nil {
			return err
		}
		return storeRelease(ctx, tx, n.Number, release)
	})
	return release, err
}

func storeRelease(ctx context.Context, tx *sql.Tx, n numberpool.Number, r numberpool.Release) error {
	var releaseID int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO releases (e164, account_id, purchased_at, released_at, cooling_off_days,
			available_after, early_termination_fee_cents, trunk_id, application_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		n.E164, n.AccountID, n.PurchasedAt.Unix(), r.ReleasedAt.Unix(), r.CoolingOffDays,
		r.AvailableAfter.Unix(), int64(r.EarlyTerminationFee), nullString(n.TrunkID), nullString(n.ApplicationID),
	).Scan(&releaseID)
	if err != nil {
		return fmt.Errorf("insert release: %w", err)
	}

	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'released', trunk_id = NULL, application_id = NULL, release_id = ?,
			released_at = ?, available_after = ?, updated_at = ?
		WHERE e164 = ? AND account_id = ? AND status = 'active' AND purchased_at = ?`,
		releaseID, r.ReleasedAt.Unix(), r.AvailableAfter.Unix(), r.ReleasedAt.Unix(),
		n.E164, n.AccountID, n.PurchasedAt.Unix())
	if err := expectOneRow(res, err, n.E164); err != nil {
		return err
	}

	if r.EarlyTerminationFee == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO charges (account_id, e164, kind, amount_cents, release_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		n.AccountID, n.E164, string(numberpool.ChargeEarlyTerminationFee), int64(r.EarlyTerminationFee),
		releaseID, r.ReleasedAt.Unix())
	if err != nil {
		return fmt.Errorf("insert early termination fee charge: %w", err)
	}
	return nil
}

// expectOneRow checks the result of an UPDATE guarded by the state read
// earlier in the transaction: no row means another writer changed the
// number in between.
func expectOneRow(res sql.Result, err error, e164 string) error {
	if err != nil {
		return fmt.Errorf("update number: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update number: %w", err)
	}
	if n == 0 {
		return numberpool.Errorf(numberpool.CodeConflict, "number %s changed during the request; retry it", e164)
	}
	return nil
}

// CancelRelease makes e164 active again with the purchase time and the
// assignments it had before the release, and voids the release's fee. It
// returns NOT_FOUND (also once the cooling-off period has ended) or CONFLICT
// when e164 is not released.
func (s *Store) CancelRelease(ctx context.Context, accountID, e164 string) (numberpool.Cancellation, error) {
	var cancellation numberpool.Cancellation
	err := s.write(ctx, "cancel release of "+e164+" by account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, err := heldNumber(ctx, tx, accountID, e164, now)
		if err != nil {
			return err
		}
		if err := numberpool.PlanCancel(n.Number, now); err != nil {
			return err
		}
		warnings, err := restoreNumber(ctx, tx, n, now)
		if err != nil {
			return err
		}
		cancellation = numberpool.Cancellation{E164: e164, CancelledAt: now, Warnings: warnings}
		return nil
	})
	return cancellation, err
}

// restoreNumber returns warnings for the assignments it could not restore.
func restoreNumber(ctx context.Context, tx *sql.Tx, n numberRow, now time.Time) ([]string, error) {
	var purchasedAt int64
	var trunkID, applicationID sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT purchased_at, trunk_id, application_id FROM releases
		WHERE id = ? AND cancelled_at IS NULL AND returned_at IS NULL`, n.releaseID,
	).Scan(&purchasedAt, &trunkID, &applicationID)
	if err != nil {
		return nil, fmt.Errorf("read release %d: %w", n.releaseID, err)
	}
	trunkID, applicationID, warnings, err := restorableRoute(ctx, tx, n.AccountID, trunkID, applicationID)
	if err != nil {
		return nil, err
	}

	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'active', purchased_at = ?, trunk_id = ?, application_id = ?, release_id = NULL,
			released_at = NULL, available_after = NULL, updated_at = ?
		WHERE e164 = ? AND account_id = ? AND status = 'released' AND release_id = ? AND available_after > ?`,
		purchasedAt, trunkID, applicationID, now.Unix(),
		n.E164, n.AccountID, n.releaseID, now.Unix())
	if err := expectOneRow(res, err, n.E164); err != nil {
		return nil, err
	}

	if _, err := tx.ExecContext(ctx, `UPDATE releases SET cancelled_at = ? WHERE id = ?`, now.Unix(), n.releaseID); err != nil {
		return nil, fmt.Errorf("mark release %d cancelled: %w", n.releaseID, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE charges SET voided_at = ? WHERE release_id = ? AND voided_at IS NULL`,
		now.Unix(), n.releaseID)
	if err != nil {
		return nil, fmt.Errorf("void charges of release %d: %w", n.releaseID, err)
	}
	return warnings, nil
}
