package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"numberpool"
)

// maxListedNumbers bounds the numbers that the CONFLICT of a delete lists.
const maxListedNumbers = 100

const trunkColumns = `id, account_id, name, auth_type, sip_domain, termination_uri, origination_uris,
	max_channels, created_at, updated_at`

func scanTrunk(sc scanner) (numberpool.Trunk, error) {
	var t numberpool.Trunk
	var origination string
	var createdAt, updatedAt int64
	err := sc.Scan(&t.ID, &t.AccountID, &t.Name, &t.AuthType, &t.SIPDomain, &t.TerminationURI, &origination,
		&t.MaxChannels, &createdAt, &updatedAt)
	if err != nil {
		return numberpool.Trunk{}, err
	}
	if err := json.Unmarshal([]byte(origination), &t.OriginationURIs); err != nil {
		return numberpool.Trunk{}, fmt.Errorf("decode origination_uris of trunk %s: %w", t.ID, err)
	}
	if t.OriginationURIs == nil {
		t.OriginationURIs = []string{}
	}
	t.CreatedAt, t.UpdatedAt = time.Unix(createdAt, 0).UTC(), time.Unix(updatedAt, 0).UTC()
	return t, nil
}

func encodeURIs(uris []string) (string, error) {
	if uris == nil {
		uris = []string{}
	}
	b, err := json.Marshal(uris)
	return string(b), err
}

func trunkNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "trunk %s not found in your account", id)
}

func applicationNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "application %s not found in your account", id)
}

// CreateTrunk stores t with the store clock's now as its times.
func (s *Store) CreateTrunk(ctx context.Context, t numberpool.Trunk) (numberpool.Trunk, error) {
	err := s.write(ctx, "create trunk "+t.ID+" of account "+t.AccountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		origination, err := encodeURIs(t.OriginationURIs)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO trunks (id, account_id, name, auth_type, sip_domain, termination_uri, origination_uris,
				max_channels, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.AccountID, t.Name, string(t.AuthType), t.SIPDomain, t.TerminationURI, origination,
			t.MaxChannels, now.Unix(), now.Unix())
		switch {
		case isForeignKey(err):
			return accountNotFound(t.AccountID)
		case isDuplicate(err):
			return numberpool.Errorf(numberpool.CodeConflict, "trunk %s already exists", t.ID)
		case err != nil:
			return err
		}
		t.CreatedAt, t.UpdatedAt = now, now
		if t.OriginationURIs == nil {
			t.OriginationURIs = []string{}
		}
		return nil
	})
	return t, err
}

// GetTrunk returns the account's trunk, or NOT_FOUND.
func (s *Store) GetTrunk(ctx context.Context, accountID, trunkID string) (numberpool.Trunk, error) {
	t, err := getTrunk(ctx, s.reader, accountID, trunkID)
	if err != nil {
		return numberpool.Trunk{}, wrapError("get trunk "+trunkID+" of account "+accountID, err)
	}
	return t, nil
}

func getTrunk(ctx context.Context, q querier, accountID, trunkID string) (numberpool.Trunk, error) {
	t, err := scanTrunk(q.QueryRowContext(ctx, `SELECT `+trunkColumns+` FROM trunks
		WHERE id = ? AND account_id = ? AND deleted_at IS NULL`, trunkID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return numberpool.Trunk{}, trunkNotFound(trunkID)
	}
	return t, err
}

// ListTrunks returns one page of the account's trunks, oldest first.
func (s *Store) ListTrunks(ctx context.Context, accountID string, p numberpool.Page) ([]numberpool.Trunk, int, error) {
	trunks := []numberpool.Trunk{}
	var total int
	err := s.read(ctx, "list trunks of account "+accountID, func(tx *sql.Tx) error {
		const where = ` FROM trunks WHERE account_id = ? AND deleted_at IS NULL`
		if err := tx.QueryRowContext(ctx, `SELECT count(*)`+where, accountID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+trunkColumns+where+` ORDER BY created_at, id LIMIT ? OFFSET ?`,
			accountID, p.PerPage, p.Offset())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTrunk(rows)
			if err != nil {
				return err
			}
			trunks = append(trunks, t)
		}
		return rows.Err()
	})
	return trunks, total, err
}

// UpdateTrunk replaces the spec of the account's trunk, or returns
// NOT_FOUND.
func (s *Store) UpdateTrunk(ctx context.Context, accountID, trunkID string, spec numberpool.TrunkSpec) (numberpool.Trunk, error) {
	var t numberpool.Trunk
	err := s.write(ctx, "update trunk "+trunkID+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		origination, err := encodeURIs(spec.OriginationURIs)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE trunks SET name = ?, auth_type = ?, termination_uri = ?, origination_uris = ?,
				max_channels = ?, updated_at = ?
			WHERE id = ? AND account_id = ? AND deleted_at IS NULL`,
			spec.Name, string(spec.AuthType), spec.TerminationURI, origination, spec.MaxChannels, now.Unix(),
			trunkID, accountID)
		if err := expectFound(res, err, trunkNotFound(trunkID)); err != nil {
			return err
		}
		t, err = getTrunk(ctx, tx, accountID, trunkID)
		return err
	})
	return t, err
}

// DeleteTrunk deletes the account's trunk. It returns NOT_FOUND, or
// CONFLICT listing the numbers that still route to it.
func (s *Store) DeleteTrunk(ctx context.Context, accountID, trunkID string) error {
	return s.write(ctx, "delete trunk "+trunkID+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := getTrunk(ctx, tx, accountID, trunkID); err != nil {
			return err
		}
		if err := checkNotRouted(ctx, tx, numberpool.RouteTrunk, accountID, trunkID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE trunks SET deleted_at = ? WHERE id = ?`, now.Unix(), trunkID)
		return err
	})
}

// routeColumn is the numbers column of each route kind. The values are
// constants, never client input, so they may be spliced into SQL.
var routeColumn = map[numberpool.RouteKind]string{
	numberpool.RouteTrunk:       "trunk_id",
	numberpool.RouteApplication: "application_id",
}

// checkNotRouted returns CONFLICT when numbers of the account route to id.
func checkNotRouted(ctx context.Context, tx *sql.Tx, kind numberpool.RouteKind, accountID, id string) error {
	column := routeColumn[kind]
	var total int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM numbers WHERE `+column+` = ? AND account_id = ?`,
		id, accountID).Scan(&total)
	if err != nil || total == 0 {
		return err
	}

	rows, err := tx.QueryContext(ctx, `SELECT e164 FROM numbers WHERE `+column+` = ? AND account_id = ?
		ORDER BY e164 LIMIT ?`, id, accountID, maxListedNumbers)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e164s []string
	for rows.Next() {
		var e164 string
		if err := rows.Scan(&e164); err != nil {
			return err
		}
		e164s = append(e164s, e164)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return numberpool.RoutedNumbersError(kind, id, e164s, total)
}

// expectFound turns an UPDATE that matched no row into notFound.
func expectFound(res sql.Result, err error, notFound *numberpool.Error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

const applicationColumns = `id, account_id, name, answer_url, answer_method, hangup_url, status_callback_url,
	created_at, updated_at`

func scanApplication(sc scanner) (numberpool.Application, error) {
	var a numberpool.Application
	var createdAt, updatedAt int64
	err := sc.Scan(&a.ID, &a.AccountID, &a.Name, &a.AnswerURL, &a.AnswerMethod, &a.HangupURL, &a.StatusCallbackURL,
		&createdAt, &updatedAt)
	a.CreatedAt, a.UpdatedAt = time.Unix(createdAt, 0).UTC(), time.Unix(updatedAt, 0).UTC()
	return a, err
}

// CreateApplication stores a with the store clock's now as its times.
func (s *Store) CreateApplication(ctx context.Context, a numberpool.Application) (numberpool.Application, error) {
	err := s.write(ctx, "create application "+a.ID+" of account "+a.AccountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		_, err := tx.ExecContext(ctx, `
			INSERT INTO applications (id, account_id, name, answer_url, answer_method, hangup_url,
				status_callback_url, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.AccountID, a.Name, a.AnswerURL, a.AnswerMethod, a.HangupURL, a.StatusCallbackURL,
			now.Unix(), now.Unix())
		switch {
		case isForeignKey(err):
			return accountNotFound(a.AccountID)
		case isDuplicate(err):
			return numberpool.Errorf(numberpool.CodeConflict, "application %s already exists", a.ID)
		case err != nil:
			return err
		}
		a.CreatedAt, a.UpdatedAt = now, now
		return nil
	})
	return a, err
}

// GetApplication returns the account's application, or NOT_FOUND.
func (s *Store) GetApplication(ctx context.Context, accountID, applicationID string) (numberpool.Application, error) {
	a, err := getApplication(ctx, s.reader, accountID, applicationID)
	if err != nil {
		return numberpool.Application{}, wrapError("get application "+applicationID+" of account "+accountID, err)
	}
	return a, nil
}

func getApplication(ctx context.Context, q querier, accountID, applicationID string) (numberpool.Application, error) {
	a, err := scanApplication(q.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE id = ? AND account_id = ? AND deleted_at IS NULL`, applicationID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return numberpool.Application{}, applicationNotFound(applicationID)
	}
	return a, err
}

// ListApplications returns one page of the account's applications, oldest
// first.
func (s *Store) ListApplications(ctx context.Context, accountID string, p numberpool.Page) ([]numberpool.Application, int, error) {
	apps := []numberpool.Application{}
	var total int
	err := s.read(ctx, "list applications of account "+accountID, func(tx *sql.Tx) error {
		const where = ` FROM applications WHERE account_id = ? AND deleted_at IS NULL`
		if err := tx.QueryRowContext(ctx, `SELECT count(*)`+where, accountID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+applicationColumns+where+` ORDER BY created_at, id LIMIT ? OFFSET ?`,
			accountID, p.PerPage, p.Offset())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanApplication(rows)
			if err != nil {
				return err
			}
			apps = append(apps, a)
		}
		return rows.Err()
	})
	return apps, total, err
}

// UpdateApplication replaces the spec of the account's application, or
// returns NOT_FOUND.
func (s *Store) UpdateApplication(ctx context.Context, accountID, applicationID string, spec numberpool.ApplicationSpec) (numberpool.Application, error) {
	var a numberpool.Application
	err := s.write(ctx, "update application "+applicationID+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		res, err := tx.ExecContext(ctx, `
			UPDATE applications SET name = ?, answer_url = ?, answer_method = ?, hangup_url = ?,
				status_callback_url = ?, updated_at = ?
			WHERE id = ? AND account_id = ? AND deleted_at IS NULL`,
			spec.Name, spec.AnswerURL, spec.AnswerMethod, spec.HangupURL, spec.StatusCallbackURL, now.Unix(),
			applicationID, accountID)
		if err := expectFound(res, err, applicationNotFound(applicationID)); err != nil {
			return err
		}
		a, err = getApplication(ctx, tx, accountID, applicationID)
		return err
	})
	return a, err
}

// DeleteApplication deletes the account's application. It returns
// NOT_FOUND, or CONFLICT listing the numbers that still route to it.
func (s *Store) DeleteApplication(ctx context.Context, accountID, applicationID string) error {
	return s.write(ctx, "delete application "+applicationID+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := getApplication(ctx, tx, accountID, applicationID); err != nil {
			return err
		}
		if err := checkNotRouted(ctx, tx, numberpool.RouteApplication, accountID, applicationID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE applications SET deleted_at = ? WHERE id = ?`, now.Unix(), applicationID)
		return err
	})
}

// AssignTrunk routes the account's active number to its trunk and clears the
// application.
func (s *Store) AssignTrunk(ctx context.Context, accountID, e164, trunkID string) (numberpool.Number, error) {
	return s.route(ctx, "assign trunk "+trunkID+" to "+e164, accountID, e164, func(tx *sql.Tx, _ numberpool.Number) (string, string, error) {
		_, err := getTrunk(ctx, tx, accountID, trunkID)
		return trunkID, "", err
	})
}

// AssignApplication routes the account's active number to its application
// and clears the trunk.
func (s *Store) AssignApplication(ctx context.Context, accountID, e164, applicationID string) (numberpool.Number, error) {
	return s.route(ctx, "assign application "+applicationID+" to "+e164, accountID, e164, func(tx *sql.Tx, _ numberpool.Number) (string, string, error) {
		_, err := getApplication(ctx, tx, accountID, applicationID)
		return "", applicationID, err
	})
}

// UnassignTrunk clears the trunk of the account's active number.
func (s *Store) UnassignTrunk(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	return s.route(ctx, "unassign trunk of "+e164, accountID, e164, func(_ *sql.Tx, n numberpool.Number) (string, string, error) {
		return "", n.ApplicationID, nil
	})
}

// UnassignApplication clears the application of the account's active
// number.
func (s *Store) UnassignApplication(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	return s.route(ctx, "unassign application of "+e164, accountID, e164, func(_ *sql.Tx, n numberpool.Number) (string, string, error) {
		return n.TrunkID, "", nil
	})
}

// routeTarget returns the trunk and application that a number should route
// to, given the number as it is.
type routeTarget func(tx *sql.Tx, n numberpool.Number) (trunkID, applicationID string, err error)

// route sets the trunk and application of an active number to the ids that
// target returns, in one transaction.
func (s *Store) route(ctx context.Context, op, accountID, e164 string, target routeTarget) (numberpool.Number, error) {
	var n numberpool.Number
	err := s.write(ctx, op+" of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		row, err := activeNumber(ctx, tx, accountID, e164, now)
		if err != nil {
			return err
		}
		trunkID, applicationID, err := target(tx, row.Number)
		if err != nil {
			return err
		}

		res, err := tx.ExecContext(ctx, `
			UPDATE numbers SET trunk_id = ?, application_id = ?, updated_at = ?
			WHERE e164 = ? AND account_id = ? AND status = 'active'`,
			nullString(trunkID), nullString(applicationID), now.Unix(), e164, accountID)
		if err := expectOneRow(res, err, e164); err != nil {
			return err
		}
		n = row.Number
		n.TrunkID, n.ApplicationID, n.UpdatedAt = trunkID, applicationID, now
		return nil
	})
	return n, err
}

// activeNumber loads the account's number and returns CONFLICT unless it is
// active at now.
func activeNumber(ctx context.Context, q querier, accountID, e164 string, now time.Time) (numberRow, error) {
	row, err := heldNumber(ctx, q, accountID, e164, now)
	if err != nil {
		return numberRow{}, err
	}
	if row.StatusAt(now) != numberpool.StatusActive {
		return numberRow{}, numberpool.Errorf(numberpool.CodeConflict,
			"number %s is released: cancel the release before changing it", e164)
	}
	return row, nil
}

// routeOf returns the route of n with the name of its trunk or application
// when the store has it, for the release preview's warning.
func routeOf(ctx context.Context, q querier, n numberpool.Number) (numberpool.Route, bool, error) {
	route, ok := numberpool.RouteOf(n)
	if !ok {
		return route, false, nil
	}
	table := "trunks"
	if route.Kind == numberpool.RouteApplication {
		table = "applications"
	}
	err := q.QueryRowContext(ctx, `SELECT name FROM `+table+` WHERE id = ? AND account_id = ? AND deleted_at IS NULL`,
		route.ID, n.AccountID).Scan(&route.Name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return route, false, fmt.Errorf("read %s %s: %w", route.Kind, route.ID, err)
	}
	return route, true, nil
}

// restorableRoute returns the assignment that a cancelled release may put
// back, and a warning instead when its trunk or application was deleted
// after the release. An id that no stored trunk or application has, as an
// import may set, is restored as it was.
func restorableRoute(ctx context.Context, q querier, accountID string, trunkID, applicationID sql.NullString) (sql.NullString, sql.NullString, []string, error) {
	warnings := []string{}
	route, ok := numberpool.RouteOf(numberpool.Number{TrunkID: trunkID.String, ApplicationID: applicationID.String})
	if !ok {
		return trunkID, applicationID, warnings, nil
	}
	table := "trunks"
	if route.Kind == numberpool.RouteApplication {
		table = "applications"
	}

	var owner string
	var deletedAt sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT account_id, deleted_at FROM `+table+` WHERE id = ?`, route.ID).
		Scan(&owner, &deletedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return trunkID, applicationID, warnings, nil
	case err != nil:
		return trunkID, applicationID, nil, fmt.Errorf("read %s %s: %w", route.Kind, route.ID, err)
	case deletedAt.Valid || owner != accountID:
		return sql.NullString{}, sql.NullString{}, []string{route.RestoreWarning()}, nil
	}
	return trunkID, applicationID, warnings, nil
}
