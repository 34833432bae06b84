package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"numberpool"
)

// guardsOf reads what may block the release of the account's number at now.
func (s *Store) guardsOf(ctx context.Context, tx pgx.Tx, accountID, e164 string, now time.Time) (numberpool.ReleaseGuards, error) {
	var g numberpool.ReleaseGuards
	var held bool
	// A call counts while now < started_at + maxCallDuration, that is while
	// started_at > now - maxCallDuration.
	startedAfter := now.Add(-s.maxCallDuration).Unix()
	err := tx.QueryRow(ctx, `
		SELECT
			(SELECT count(*) FROM calls
			 WHERE e164 = $1 AND account_id = $2 AND ended_at IS NULL AND started_at > $3),
			EXISTS (SELECT 1 FROM release_protections WHERE e164 = $1 AND account_id = $2),
			EXISTS (SELECT 1 FROM holds WHERE account_id = $2 AND e164 IN ($1, '') AND lifted_at IS NULL)`,
		e164, accountID, startedAfter).Scan(&g.ActiveCalls, &g.ReleaseProtection, &held)
	if err != nil {
		return g, fmt.Errorf("read active calls, release protection and holds of %s: %w", e164, err)
	}

	// Most numbers have no hold, so the holds are read only when one exists.
	if !held {
		g.Holds = []numberpool.Hold{}
		return g, nil
	}

	g.Holds, err = holdsOf(ctx, tx, `account_id = $1 AND e164 IN ($2, '')`, accountID, e164)
	return g, err
}

// holdsOf returns the holds in force that match where, oldest first.
func holdsOf(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]numberpool.Hold, error) {
	rows, err := tx.Query(ctx, `
		SELECT account_id, e164, kind, reason, placed_at FROM holds
		WHERE lifted_at IS NULL AND `+where+` ORDER BY placed_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	holds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (numberpool.Hold, error) {
		var h numberpool.Hold
		var placedAt int64
		err := row.Scan(&h.AccountID, &h.E164, &h.Kind, &h.Reason, &placedAt)
		h.PlacedAt = unixTime(&placedAt)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	if holds == nil {
		holds = []numberpool.Hold{}
	}
	return holds, nil
}

// blockers lists what keeps n from being released at now. Preview and
// release both call it inside their transactions, so they agree. Release
// holds the number's row lock, which a call start also takes, so a call
// either commits before this count or finds the number released.
func (s *Store) blockers(ctx context.Context, tx pgx.Tx, n numberpool.Number, now time.Time) ([]numberpool.Blocker, error) {
	g, err := s.guardsOf(ctx, tx, n.AccountID, n.E164, now)
	if err != nil {
		return nil, err
	}
	return g.Blockers(), nil
}

// ReleaseGuards returns the guards of each of the account's numbers e164s,
// with two queries in all rather than per number.
func (s *Store) ReleaseGuards(ctx context.Context, accountID string, e164s []string) (map[string]numberpool.ReleaseGuards, error) {
	var guards map[string]numberpool.ReleaseGuards
	err := s.inTx(ctx, "read release guards of account "+accountID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return err
		}
		now := numberpool.NowSeconds(s.clock)
		distinct := slices.Compact(slices.Sorted(slices.Values(e164s)))
		guards = make(map[string]numberpool.ReleaseGuards, len(distinct))
		for _, e164 := range distinct {
			guards[e164] = numberpool.ReleaseGuards{Holds: []numberpool.Hold{}}
		}

		if err := s.readCallsAndProtection(ctx, tx, accountID, distinct, now, guards); err != nil {
			return err
		}
		holds, err := holdsOf(ctx, tx, `account_id = $1 AND (e164 = '' OR e164 = ANY($2))`, accountID, distinct)
		if err != nil {
			return err
		}
		addHolds(guards, distinct, holds)
		return nil
	})
	return guards, err
}

// readCallsAndProtection adds the active calls and the release protection of
// the numbers e164s to guards.
func (s *Store) readCallsAndProtection(ctx context.Context, tx pgx.Tx, accountID string, e164s []string, now time.Time, guards map[string]numberpool.ReleaseGuards) error {
	startedAfter := now.Add(-s.maxCallDuration).Unix()
	rows, err := tx.Query(ctx, `
		SELECT e164, count(*), false FROM calls
		WHERE account_id = $1 AND ended_at IS NULL AND started_at > $2 AND e164 = ANY($3)
		GROUP BY e164
		UNION ALL
		SELECT e164, 0, true FROM release_protections WHERE account_id = $1 AND e164 = ANY($3)`,
		accountID, startedAfter, e164s)
	if err != nil {
		return fmt.Errorf("read active calls and release protection: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e164 string
		var calls int
		var protected bool
		if err := rows.Scan(&e164, &calls, &protected); err != nil {
			return fmt.Errorf("read active calls and release protection: %w", err)
		}
		g := guards[e164]
		g.ActiveCalls += calls
		g.ReleaseProtection = g.ReleaseProtection || protected
		guards[e164] = g
	}
	return rows.Err()
}

// addHolds gives each hold on a number to that number, and each hold on the
// account to every number of e164s, keeping the order of holds.
func addHolds(guards map[string]numberpool.ReleaseGuards, e164s []string, holds []numberpool.Hold) {
	for _, h := range holds {
		targets := []string{h.E164}
		if h.E164 == "" {
			targets = e164s
		}
		for _, e164 := range targets {
			g := guards[e164]
			g.Holds = append(g.Holds, h)
			guards[e164] = g
		}
	}
}

// RecordCallEvent records one event of a call on the account's number,
// under the number's row lock.
func (s *Store) RecordCallEvent(ctx context.Context, accountID, e164, callID string, event numberpool.CallEvent) (numberpool.CallReport, error) {
	report := numberpool.CallReport{E164: e164, CallID: callID, Event: event}
	op := fmt.Sprintf("record call %s %s on %s of account %s", callID, event, e164, accountID)
	err := s.inTx(ctx, op, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if err := recordCall(ctx, tx, accountID, e164, callID, event, now); err != nil {
			return err
		}
		g, err := s.guardsOf(ctx, tx, accountID, e164, now)
		report.ActiveCalls = g.ActiveCalls
		return err
	})
	return report, err
}

func recordCall(ctx context.Context, tx pgx.Tx, accountID, e164, callID string, event numberpool.CallEvent, now time.Time) error {
	if event == numberpool.CallEnded {
		if _, _, err := selectHeld(ctx, tx, accountID, e164, now, true); err != nil {
			return err
		}
		// An "ended" that arrives before its "started" inserts the row, so
		// that the late "started" finds the call over.
		_, err := tx.Exec(ctx, `
			INSERT INTO calls (e164, call_id, account_id, ended_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (e164, call_id) DO UPDATE SET ended_at = excluded.ended_at WHERE calls.ended_at IS NULL`,
			e164, callID, accountID, now.Unix())
		return err
	}

	if _, err := activeNumber(ctx, tx, accountID, e164, now); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO calls (e164, call_id, account_id, started_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (e164, call_id) DO NOTHING`,
		e164, callID, accountID, now.Unix())
	return err
}

// PruneCalls deletes up to limit rows of calls that ended, or started
// without an "ended", longer than numberpool.CallRetention ago, and returns
// how many it deleted. Such a call no longer counts as active, and a
// repeated event for it is outside the window in which events are
// idempotent. Replicas that prune at once skip each other's locked rows.
func (s *Store) PruneCalls(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("prune calls: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.inTx(ctx, "prune finished calls", func(tx pgx.Tx) error {
		cutoff := numberpool.NowSeconds(s.clock).Add(-numberpool.CallRetention(s.maxCallDuration))
		tag, err := tx.Exec(ctx, `
			DELETE FROM calls WHERE (e164, call_id) IN (
				SELECT e164, call_id FROM calls WHERE coalesce(ended_at, started_at) <= $1
				LIMIT $2 FOR UPDATE SKIP LOCKED)`,
			cutoff.Unix(), limit)
		count = int(tag.RowsAffected())
		return err
	})
	return count, err
}

// SetReleaseProtection switches the protection of the account's active
// number, under the number's row lock.
func (s *Store) SetReleaseProtection(ctx context.Context, accountID, e164 string, on bool) error {
	op := fmt.Sprintf("set release protection of %s of account %s to %t", e164, accountID, on)
	return s.inTx(ctx, op, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := activeNumber(ctx, tx, accountID, e164, now); err != nil {
			return err
		}
		var tag pgconn.CommandTag
		var err error
		if on {
			tag, err = tx.Exec(ctx, `
				INSERT INTO release_protections (e164, account_id, enabled_at) VALUES ($1, $2, $3)
				ON CONFLICT (e164) DO UPDATE SET account_id = excluded.account_id, enabled_at = excluded.enabled_at
				WHERE release_protections.account_id <> excluded.account_id`,
				e164, accountID, now.Unix())
		} else {
			tag, err = tx.Exec(ctx, `DELETE FROM release_protections WHERE e164 = $1`, e164)
		}
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}

		// The number object shows release_protection, so a change moves its
		// updated_at; setting the value it already has changes nothing.
		_, err = tx.Exec(ctx, `UPDATE numbers SET updated_at = $1 WHERE e164 = $2`, now.Unix(), e164)
		return err
	})
}

// PlaceHold puts h in force on a number, for the account that holds it, or
// on a whole account.
func (s *Store) PlaceHold(ctx context.Context, h numberpool.Hold) (numberpool.Hold, error) {
	op := fmt.Sprintf("place %s hold on %s%s", h.Kind, h.E164, h.AccountID)
	err := s.inTx(ctx, op, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if err := resolveHoldAccount(ctx, tx, &h, now); err != nil {
			return err
		}
		h.PlacedAt = now
		_, err := tx.Exec(ctx, `
			INSERT INTO holds (account_id, e164, kind, reason, placed_at) VALUES ($1, $2, $3, $4, $5)`,
			h.AccountID, h.E164, string(h.Kind), h.Reason, now.Unix())
		if sqlstate(err) == sqlstateUniqueViolation {
			return numberpool.HoldExists(h)
		}
		return err
	})
	return h, err
}

// resolveHoldAccount sets the account of a hold on a number to the number's
// holder, under the number's row lock, and checks that the account of an
// account hold exists.
func resolveHoldAccount(ctx context.Context, tx pgx.Tx, h *numberpool.Hold, now time.Time) error {
	if h.E164 == "" {
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM accounts WHERE id = $1`, h.AccountID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return accountNotFound(h.AccountID)
		}
		return err
	}
	n, _, err := scanNumber(tx.QueryRow(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = $1 FOR UPDATE`, h.E164))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !n.OwnedBy(n.AccountID, now)) {
		return numberpool.Errorf(numberpool.CodeNotFound, "number %s is not held by any account", h.E164)
	}
	h.AccountID = n.AccountID
	return err
}

// LiftHold ends a hold in force and returns it.
func (s *Store) LiftHold(ctx context.Context, accountID, e164 string, kind numberpool.HoldKind) (numberpool.Hold, error) {
	var lifted numberpool.Hold
	op := fmt.Sprintf("lift %s hold on %s%s", kind, e164, accountID)
	err := s.inTx(ctx, op, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		where, args := `e164 = $2 AND kind = $3`, []any{now.Unix(), e164, string(kind)}
		if e164 == "" {
			where, args = `account_id = $2 AND e164 = '' AND kind = $3`, []any{now.Unix(), accountID, string(kind)}
		}
		rows, err := tx.Query(ctx, `
			UPDATE holds SET lifted_at = $1 WHERE lifted_at IS NULL AND `+where+`
			RETURNING account_id, e164, kind, reason, placed_at`, args...)
		if err != nil {
			return err
		}
		holds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (numberpool.Hold, error) {
			var h numberpool.Hold
			var placedAt int64
			err := row.Scan(&h.AccountID, &h.E164, &h.Kind, &h.Reason, &placedAt)
			h.PlacedAt, h.LiftedAt = unixTime(&placedAt), now
			return h, err
		})
		if err != nil {
			return err
		}
		if len(holds) == 0 {
			return numberpool.HoldNotFound(accountID, e164, kind)
		}
		lifted = holds[0]
		return nil
	})
	return lifted, err
}

// ListHolds returns the holds in force on the account and its numbers.
func (s *Store) ListHolds(ctx context.Context, accountID string) ([]numberpool.Hold, error) {
	var holds []numberpool.Hold
	err := s.inTx(ctx, "list holds of account "+accountID, func(tx pgx.Tx) error {
		var err error
		holds, err = holdsOf(ctx, tx, `account_id = $1`, accountID)
		return err
	})
	return holds, err
}
