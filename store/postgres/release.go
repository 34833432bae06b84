package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

// policyFor returns the policy of n at now. A released number keeps the
// cooling-off period stored with its release, whatever the current policies
// set.
func (s *Store) policyFor(ctx context.Context, tx pgx.Tx, n numberpool.Number, releaseID int64, now time.Time) (numberpool.Policy, error) {
	p := s.policies.For(n.Country, n.Type)
	if n.StatusAt(now) != numberpool.StatusReleased {
		return p, nil
	}
	err := tx.QueryRow(ctx, `SELECT cooling_off_days FROM releases WHERE id = $1`, releaseID).Scan(&p.CoolingOffDays)
	if err != nil {
		return numberpool.Policy{}, fmt.Errorf("read release %d: %w", releaseID, err)
	}
	return p, nil
}

// PreviewRelease describes what releasing e164 now would do. It returns
// NOT_FOUND when accountID does not hold e164.
func (s *Store) PreviewRelease(ctx context.Context, accountID, e164 string) (numberpool.Preview, error) {
	var preview numberpool.Preview
	err := s.inTx(ctx, "preview release of "+e164+" by account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, releaseID, err := selectHeld(ctx, tx, accountID, e164, now, false)
		if err != nil {
			return err
		}

		policy, err := s.policyFor(ctx, tx, n, releaseID, now)
		if err != nil {
			return err
		}
		blockers, err := s.blockers(ctx, tx, n, now)
		if err != nil {
			return err
		}
		preview = numberpool.PreviewRelease(n, policy, blockers, now)
		route, routed, err := routeOf(ctx, tx, n)
		if routed {
			preview = numberpool.AddRouteWarning(preview, route)
		}
		return err
	})
	return preview, err
}

// ReleaseNumber releases e164, clears its assignments and charges the early
// termination fee owed. It returns NOT_FOUND, CONFLICT when e164 is already
// released, or RELEASE_BLOCKED.
func (s *Store) ReleaseNumber(ctx context.Context, accountID, e164 string) (numberpool.Release, error) {
	var release numberpool.Release
	err := s.inTx(ctx, "release number "+e164+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, _, err := selectHeld(ctx, tx, accountID, e164, now, true)
		if err != nil {
			return err
		}

		blockers, err := s.blockers(ctx, tx, n, now)
		if err != nil {
			return err
		}
		release, err = numberpool.PlanRelease(n, s.policies.For(n.Country, n.Type), blockers, now)
		if err != nil {
			return err
		}
		return recordRelease(ctx, tx, n, release)
	})
	return release, err
}

// recordRelease stores the release of the active number n: the releases row
// that keeps what a cancel restores, the number's new state, and the fee
// charge.
func recordRelease(ctx context.Context, tx pgx.Tx, n numberpool.Number, release numberpool.Release) error {
	const insertRelease = `
		INSERT INTO releases (e164, account_id, purchased_at, released_at, cooling_off_days,
			available_after, early_termination_fee_cents, trunk_id, application_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`
	releasedAt := release.ReleasedAt.Unix()
	var releaseID int64
	err := tx.QueryRow(ctx, insertRelease, n.E164, n.AccountID, n.PurchasedAt.Unix(), releasedAt,
		release.CoolingOffDays, release.AvailableAfter.Unix(), int64(release.EarlyTerminationFee),
		nullIfEmpty(n.TrunkID), nullIfEmpty(n.ApplicationID)).Scan(&releaseID)
	if err != nil {
		return err
	}

	const markReleased = `
		UPDATE numbers
		SET status = 'released', trunk_id = NULL, application_id = NULL, release_id = $1,
			released_at = $2, available_after = $3, updated_at = $2
		WHERE e164 = $4 AND account_id = $5 AND status = 'active' AND purchased_at = $6`
	tag, err := tx.Exec(ctx, markReleased, releaseID, releasedAt, release.AvailableAfter.Unix(),
		n.E164, n.AccountID, n.PurchasedAt.Unix())
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return numberpool.Errorf(numberpool.CodeConflict, "number %s changed while it was being released: read it again before retrying", n.E164)
	}

	if release.EarlyTerminationFee <= 0 {
		return nil
	}
	const insertCharge = `
		INSERT INTO charges (account_id, e164, kind, amount_cents, release_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`
	_, err = tx.Exec(ctx, insertCharge, n.AccountID, n.E164, string(numberpool.ChargeEarlyTerminationFee),
		int64(release.EarlyTerminationFee), releaseID, releasedAt)
	return err
}

// CancelRelease makes e164 active again with its purchase time and
// assignments from before the release, and voids the release's fee. It
// returns NOT_FOUND (also once the cooling-off period has ended) or CONFLICT
// when e164 is not released.
func (s *Store) CancelRelease(ctx context.Context, accountID, e164 string) (numberpool.Cancellation, error) {
	var cancellation numberpool.Cancellation
	err := s.inTx(ctx, "cancel release of "+e164+" by account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, releaseID, err := selectHeld(ctx, tx, accountID, e164, now, true)
		if err != nil {
			return err
		}
		if err := numberpool.PlanCancel(n, now); err != nil {
			return err
		}

		warnings, err := restoreNumber(ctx, tx, n, releaseID, now)
		if err != nil {
			return err
		}
		cancellation = numberpool.Cancellation{E164: e164, CancelledAt: now, Warnings: warnings}
		return nil
	})
	return cancellation, err
}

// restoreNumber undoes the release releaseID of n at now, with the purchase
// time and assignments that the release row kept. It returns warnings for
// the assignments it could not restore.
func restoreNumber(ctx context.Context, tx pgx.Tx, n numberpool.Number, releaseID int64, now time.Time) ([]string, error) {
	conflict := numberpool.Errorf(numberpool.CodeConflict,
		"number %s changed while its release was being cancelled: read it again before retrying", n.E164)

	const closeRelease = `
		UPDATE releases SET cancelled_at = $2
		WHERE id = $1 AND cancelled_at IS NULL AND returned_at IS NULL
		RETURNING purchased_at, trunk_id, application_id`
	var purchasedAt int64
	var trunkID, applicationID *string
	err := tx.QueryRow(ctx, closeRelease, releaseID, now.Unix()).Scan(&purchasedAt, &trunkID, &applicationID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, conflict
	}
	if err != nil {
		return nil, err
	}
	trunkID, applicationID, warnings, err := restorableRoute(ctx, tx, n.AccountID, trunkID, applicationID)
	if err != nil {
		return nil, err
	}

	const markActive = `
		UPDATE numbers
		SET status = 'active', purchased_at = $1, trunk_id = $2, application_id = $3,
			release_id = NULL, released_at = NULL, available_after = NULL, updated_at = $4
		WHERE e164 = $5 AND account_id = $6 AND status = 'released' AND release_id = $7
		  AND available_after > $4`
	tag, err := tx.Exec(ctx, markActive, purchasedAt, trunkID, applicationID, now.Unix(),
		n.E164, n.AccountID, releaseID)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return nil, conflict
	}

	const voidCharge = `UPDATE charges SET voided_at = $2 WHERE release_id = $1 AND voided_at IS NULL`
	_, err = tx.Exec(ctx, voidCharge, releaseID, now.Unix())
	return warnings, err
}
