package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"numberpool"
)

// queryer runs queries that return rows, as *sql.Tx and *sql.DB do.
type queryer interface {
	querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// guardColumns are the columns that read the facts which may block the
// release of number ?1 of account ?2. They are the count of its calls that
// still count (started after ?3), its release protection, and whether a
// hold is in force on it or on the account. Every read of guards selects
// them, so the preview and the release decide on the same facts.
const guardColumns = `
	(SELECT count(*) FROM calls
	 WHERE e164 = ?1 AND account_id = ?2 AND ended_at IS NULL AND started_at > ?3),
	EXISTS (SELECT 1 FROM release_protections WHERE e164 = ?1 AND account_id = ?2),
	EXISTS (SELECT 1 FROM holds WHERE account_id = ?2 AND e164 IN (?1, '') AND lifted_at IS NULL)`

// callsStartedAfter returns the bound ?3 of guardColumns. A call counts
// while now < started_at + maxCallDuration, that is while
// started_at > now - maxCallDuration.
func (s *Store) callsStartedAfter(now time.Time) int64 {
	return now.Add(-s.maxCallDuration).Unix()
}

// guardsOf reads what may block the release of the account's number at now.
func (s *Store) guardsOf(ctx context.Context, q queryer, accountID, e164 string, now time.Time) (numberpool.ReleaseGuards, error) {
	var g numberpool.ReleaseGuards
	var held bool
	err := q.QueryRowContext(ctx, `SELECT `+guardColumns, e164, accountID, s.callsStartedAfter(now)).
		Scan(&g.ActiveCalls, &g.ReleaseProtection, &held)
	if err != nil {
		return g, fmt.Errorf("read active calls, release protection and holds of %s: %w", e164, err)
	}

	// Most numbers have no hold, so the holds are read only when one exists.
	if !held {
		g.Holds = []numberpool.Hold{}
		return g, nil
	}

	g.Holds, err = holdsOf(ctx, q, `account_id = ? AND e164 IN (?, '')`, accountID, e164)
	return g, err
}

// holdsOf returns the holds in force that match where, oldest first.
func holdsOf(ctx context.Context, q queryer, where string, args ...any) ([]numberpool.Hold, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT account_id, e164, kind, reason, placed_at FROM holds
		WHERE lifted_at IS NULL AND `+where+` ORDER BY placed_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read holds: %w", err)
	}
	defer rows.Close()
	holds := []numberpool.Hold{}
	for rows.Next() {
		var h numberpool.Hold
		var placedAt int64
		if err := rows.Scan(&h.AccountID, &h.E164, &h.Kind, &h.Reason, &placedAt); err != nil {
			return nil, fmt.Errorf("read holds: %w", err)
		}
		h.PlacedAt = time.Unix(placedAt, 0).UTC()
		holds = append(holds, h)
	}
	return holds, rows.Err()
}

// blockers gathers what stops a release of n at now. Release and the
// preview of a number under a hold call it, and every preview reads
// guardColumns and decides with ReleaseGuards.Blockers, so preview and
// release agree. Release runs on the
// single writer connection, so no call can start between this check and the
// release's UPDATE.
func (s *Store) blockers(ctx context.Context, tx *sql.Tx, n numberpool.Number, now time.Time) ([]numberpool.Blocker, error) {
	g, err := s.guardsOf(ctx, tx, n.AccountID, n.E164, now)
	if err != nil {
		return nil, err
	}
	return g.Blockers(), nil
}

// guardsBatch bounds the numbers that one query of ReleaseGuards binds,
// far below SQLite's limit on bound parameters.
const guardsBatch = 500

// ReleaseGuards returns the guards of each of the account's numbers e164s,
// with three queries per batch of numbers rather than per number.
func (s *Store) ReleaseGuards(ctx context.Context, accountID string, e164s []string) (map[string]numberpool.ReleaseGuards, error) {
	guards := make(map[string]numberpool.ReleaseGuards, len(e164s))
	err := s.read(ctx, "read release guards of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		for start := 0; start < len(e164s); start += guardsBatch {
			batch := slices.Compact(slices.Sorted(slices.Values(e164s[start:min(start+guardsBatch, len(e164s))])))
			if err := s.readGuards(ctx, tx, accountID, batch, now, guards); err != nil {
				return err
			}
		}
		return nil
	})
	return guards, err
}

// readGuards adds the guards of the distinct numbers e164s to guards.
func (s *Store) readGuards(ctx context.Context, tx *sql.Tx, accountID string, e164s []string, now time.Time, guards map[string]numberpool.ReleaseGuards) error {
	in := strings.TrimSuffix(strings.Repeat("?,", len(e164s)), ",")
	numbers := make([]any, len(e164s))
	for i, e164 := range e164s {
		numbers[i] = e164
		guards[e164] = numberpool.ReleaseGuards{Holds: []numberpool.Hold{}}
	}

	startedAfter := s.callsStartedAfter(now)
	rows, err := tx.QueryContext(ctx, `
		SELECT e164, count(*), 0 FROM calls
		WHERE account_id = ? AND ended_at IS NULL AND started_at > ? AND e164 IN (`+in+`)
		GROUP BY e164
		UNION ALL
		SELECT e164, 0, 1 FROM release_protections WHERE account_id = ? AND e164 IN (`+in+`)`,
		slices.Concat([]any{accountID, startedAfter}, numbers, []any{accountID}, numbers)...)
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
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read active calls and release protection: %w", err)
	}

	holds, err := holdsOf(ctx, tx, `account_id = ? AND e164 IN ('', `+in+`)`, append([]any{accountID}, numbers...)...)
	if err != nil {
		return err
	}
	addHolds(guards, e164s, holds)
	return nil
}

// RecordCallEvent records one event of a call on the account's number.
func (s *Store) RecordCallEvent(ctx context.Context, accountID, e164, callID string, event numberpool.CallEvent) (numberpool.CallReport, error) {
	report := numberpool.CallReport{E164: e164, CallID: callID, Event: event}
	op := fmt.Sprintf("record call %s %s on %s of account %s", callID, event, e164, accountID)
	err := s.write(ctx, op, func(tx *sql.Tx) error {
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

func recordCall(ctx context.Context, tx *sql.Tx, accountID, e164, callID string, event numberpool.CallEvent, now time.Time) error {
	if event == numberpool.CallEnded {
		if _, err := heldNumber(ctx, tx, accountID, e164, now); err != nil {
			return err
		}
		// An "ended" that arrives before its "started" inserts the row, so
		// that the late "started" finds the call over.
		_, err := tx.ExecContext(ctx, `
			INSERT INTO calls (e164, call_id, account_id, ended_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (e164, call_id) DO UPDATE SET ended_at = excluded.ended_at WHERE calls.ended_at IS NULL`,
			e164, callID, accountID, now.Unix())
		return err
	}

	if _, err := activeNumber(ctx, tx, accountID, e164, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO calls (e164, call_id, account_id, started_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (e164, call_id) DO NOTHING`,
		e164, callID, accountID, now.Unix())
	return err
}

// PruneCalls deletes up to limit rows of calls that ended, or started
// without an "ended", longer than numberpool.CallRetention ago, and returns
// how many it deleted. Such a call no longer counts as active, and a
// repeated event for it is outside the window in which events are
// idempotent.
func (s *Store) PruneCalls(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("prune calls: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.write(ctx, "prune finished calls", func(tx *sql.Tx) error {
		cutoff := numberpool.NowSeconds(s.clock).Add(-numberpool.CallRetention(s.maxCallDuration))
		res, err := tx.ExecContext(ctx, `
			DELETE FROM calls WHERE rowid IN (
				SELECT rowid FROM calls WHERE coalesce(ended_at, started_at) <= ? LIMIT ?)`,
			cutoff.Unix(), limit)
		if err != nil {
			return err
		}
		deleted, err := res.RowsAffected()
		count = int(deleted)
		return err
	})
	return count, err
}

// SetReleaseProtection switches the protection of the account's active
// number.
func (s *Store) SetReleaseProtection(ctx context.Context, accountID, e164 string, on bool) error {
	op := fmt.Sprintf("set release protection of %s of account %s to %t", e164, accountID, on)
	return s.write(ctx, op, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := activeNumber(ctx, tx, accountID, e164, now); err != nil {
			return err
		}
		var res sql.Result
		var err error
		if on {
			res, err = tx.ExecContext(ctx, `
				INSERT INTO release_protections (e164, account_id, enabled_at) VALUES (?, ?, ?)
				ON CONFLICT (e164) DO UPDATE SET account_id = excluded.account_id, enabled_at = excluded.enabled_at
				WHERE release_protections.account_id <> excluded.account_id`,
				e164, accountID, now.Unix())
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM release_protections WHERE e164 = ?`, e164)
		}
		if err != nil {
			return err
		}

		// The number object shows release_protection, so a change moves its
		// updated_at; setting the value it already has changes nothing.
		changed, err := res.RowsAffected()
		if err != nil || changed == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE numbers SET updated_at = ? WHERE e164 = ?`, now.Unix(), e164)
		return err
	})
}

// PlaceHold puts h in force on a number, for the account that holds it, or
// on a whole account.
func (s *Store) PlaceHold(ctx context.Context, h numberpool.Hold) (numberpool.Hold, error) {
	op := fmt.Sprintf("place %s hold on %s%s", h.Kind, h.E164, h.AccountID)
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if err := resolveHoldAccount(ctx, tx, &h, now); err != nil {
			return err
		}
		h.PlacedAt = now
		_, err := tx.ExecContext(ctx, `
			INSERT INTO holds (account_id, e164, kind, reason, placed_at) VALUES (?, ?, ?, ?, ?)`,
			h.AccountID, h.E164, string(h.Kind), h.Reason, now.Unix())
		if isDuplicate(err) {
			return numberpool.HoldExists(h)
		}
		return err
	})
	return h, err
}

// resolveHoldAccount sets the account of a hold on a number to the number's
// holder, and checks that the account of an account hold exists.
func resolveHoldAccount(ctx context.Context, tx *sql.Tx, h *numberpool.Hold, now time.Time) error {
	if h.E164 == "" {
		_, err := getAccountTx(ctx, tx, h.AccountID)
		return err
	}
	row, err := scanNumber(tx.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = ?`, h.E164))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !row.OwnedBy(row.AccountID, now)) {
		return numberpool.Errorf(numberpool.CodeNotFound, "number %s is not held by any account", h.E164)
	}
	h.AccountID = row.AccountID
	return err
}

func getAccountTx(ctx context.Context, q querier, id string) (string, error) {
	var found string
	err := q.QueryRowContext(ctx, `SELECT id FROM accounts WHERE id = ?`, id).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return "", accountNotFound(id)
	}
	return found, err
}

// LiftHold ends a hold in force and returns it.
func (s *Store) LiftHold(ctx context.Context, accountID, e164 string, kind numberpool.HoldKind) (numberpool.Hold, error) {
	var lifted numberpool.Hold
	op := fmt.Sprintf("lift %s hold on %s%s", kind, e164, accountID)
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		where, args := `e164 = ? AND kind = ?`, []any{e164, string(kind)}
		if e164 == "" {
			where, args = `account_id = ? AND e164 = '' AND kind = ?`, []any{accountID, string(kind)}
		}
		holds, err := holdsOf(ctx, tx, where, args...)
		if err != nil {
			return err
		}
		if len(holds) == 0 {
			return numberpool.HoldNotFound(accountID, e164, kind)
		}
		_, err = tx.ExecContext(ctx, `UPDATE holds SET lifted_at = ? WHERE lifted_at IS NULL AND `+where,
			append([]any{now.Unix()}, args...)...)
		lifted = holds[0]
		lifted.LiftedAt = now
		return err
	})
	return lifted, err
}

// ListHolds returns the holds in force on the account and its numbers.
func (s *Store) ListHolds(ctx context.Context, accountID string) ([]numberpool.Hold, error) {
	var holds []numberpool.Hold
	err := s.read(ctx, "list holds of account "+accountID, func(tx *sql.Tx) error {
		var err error
		holds, err = holdsOf(ctx, tx, `account_id = ?`, accountID)
		return err
	})
	return holds, err
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
