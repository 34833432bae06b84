package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

// maxListedNumbers bounds the numbers that the CONFLICT of a delete lists.
const maxListedNumbers = 100

const trunkColumns = `id, account_id, name, auth_type, sip_domain, termination_uri, origination_uris,
	max_channels, created_at, updated_at`

func scanTrunk(row pgx.Row) (numberpool.Trunk, error) {
	var t numberpool.Trunk
	var createdAt, updatedAt int64
	err := row.Scan(&t.ID, &t.AccountID, &t.Name, &t.AuthType, &t.SIPDomain, &t.TerminationURI,
		&t.OriginationURIs, &t.MaxChannels, &createdAt, &updatedAt)
	if t.OriginationURIs == nil {
		t.OriginationURIs = []string{}
	}
	t.CreatedAt, t.UpdatedAt = unixTime(&createdAt), unixTime(&updatedAt)
	return t, err
}

func nonNil(uris []string) []string {
	if uris == nil {
		return []string{}
	}
	return uris
}

func trunkNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "trunk %s not found in your account", id)
}

func applicationNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "application %s not found in your account", id)
}

// CreateTrunk stores t with the store clock's now as its times.
func (s *Store) CreateTrunk(ctx context.Context, t numberpool.Trunk) (numberpool.Trunk, error) {
	err := s.inTx(ctx, "create trunk "+t.ID+" of account "+t.AccountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		_, err := tx.Exec(ctx, `
			INSERT INTO trunks (id, account_id, name, auth_type, sip_domain, termination_uri, origination_uris,
				max_channels, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
			t.ID, t.AccountID, t.Name, string(t.AuthType), t.SIPDomain, t.TerminationURI, nonNil(t.OriginationURIs),
			t.MaxChannels, now.Unix())
		switch sqlstate(err) {
		case sqlstateForeignKeyViolation:
			return accountNotFound(t.AccountID)
		case sqlstateUniqueViolation:
			return numberpool.Errorf(numberpool.CodeConflict, "trunk %s already exists", t.ID)
		}
		t.CreatedAt, t.UpdatedAt, t.OriginationURIs = now, now, nonNil(t.OriginationURIs)
		return err
	})
	return t, err
}

// GetTrunk returns the account's trunk, or NOT_FOUND.
func (s *Store) GetTrunk(ctx context.Context, accountID, trunkID string) (numberpool.Trunk, error) {
	var t numberpool.Trunk
	err := s.inTx(ctx, "get trunk "+trunkID+" of account "+accountID, func(tx pgx.Tx) error {
		var err error
		t, err = getTrunk(ctx, tx, accountID, trunkID, "")
		return err
	})
	return t, err
}

// getTrunk reads the account's trunk with lock ("", "FOR SHARE" or "FOR
// UPDATE") appended to the query.
func getTrunk(ctx context.Context, tx pgx.Tx, accountID, trunkID, lock string) (numberpool.Trunk, error) {
	t, err := scanTrunk(tx.QueryRow(ctx, `SELECT `+trunkColumns+` FROM trunks
		WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL `+lock, trunkID, accountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return numberpool.Trunk{}, trunkNotFound(trunkID)
	}
	return t, err
}

// ListTrunks returns one page of the account's trunks, oldest first.
func (s *Store) ListTrunks(ctx context.Context, accountID string, p numberpool.Page) ([]numberpool.Trunk, int, error) {
	var trunks []numberpool.Trunk
	var total int
	err := s.inTx(ctx, "list trunks of account "+accountID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return err
		}
		const where = ` FROM trunks WHERE account_id = $1 AND deleted_at IS NULL`
		if err := tx.QueryRow(ctx, `SELECT count(*)`+where, accountID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+trunkColumns+where+` ORDER BY created_at, id LIMIT $2 OFFSET $3`,
			accountID, p.PerPage, p.Offset())
		if err != nil {
			return err
		}
		defer rows.Close()
		trunks = []numberpool.Trunk{}
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
	err := s.inTx(ctx, "update trunk "+trunkID+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		var err error
		t, err = scanTrunk(tx.QueryRow(ctx, `
			UPDATE trunks SET name = $3, auth_type = $4, termination_uri = $5, origination_uris = $6,
				max_channels = $7, updated_at = $8
			WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL
			RETURNING `+trunkColumns,
			trunkID, accountID, spec.Name, string(spec.AuthType), spec.TerminationURI, nonNil(spec.OriginationURIs),
			spec.MaxChannels, now.Unix()))
		if errors.Is(err, pgx.ErrNoRows) {
			return trunkNotFound(trunkID)
		}
		return err
	})
	return t, err
}

// DeleteTrunk deletes the account's trunk. It returns NOT_FOUND, or
// CONFLICT listing the numbers that still route to it. The trunk's row lock
// orders it with assignments, which lock the row FOR SHARE: either the
// delete finds the new assignment, or the assignment finds the trunk gone.
func (s *Store) DeleteTrunk(ctx context.Context, accountID, trunkID string) error {
	return s.inTx(ctx, "delete trunk "+trunkID+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := getTrunk(ctx, tx, accountID, trunkID, "FOR UPDATE"); err != nil {
			return err
		}
		if err := checkNotRouted(ctx, tx, numberpool.RouteTrunk, accountID, trunkID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE trunks SET deleted_at = $2 WHERE id = $1`, trunkID, now.Unix())
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
func checkNotRouted(ctx context.Context, tx pgx.Tx, kind numberpool.RouteKind, accountID, id string) error {
	column := routeColumn[kind]
	var total int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM numbers WHERE `+column+` = $1 AND account_id = $2`,
		id, accountID).Scan(&total)
	if err != nil || total == 0 {
		return err
	}

	rows, err := tx.Query(ctx, `SELECT e164 FROM numbers WHERE `+column+` = $1 AND account_id = $2
		ORDER BY e164 LIMIT $3`, id, accountID, maxListedNumbers)
	if err != nil {
		return err
	}
	e164s, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return numberpool.RoutedNumbersError(kind, id, e164s, total)
}

const applicationColumns = `id, account_id, name, answer_url, answer_method, hangup_url, status_callback_url,
	created_at, updated_at`

func scanApplication(row pgx.Row) (numberpool.Application, error) {
	var a numberpool.Application
	var createdAt, updatedAt int64
	err := row.Scan(&a.ID, &a.AccountID, &a.Name, &a.AnswerURL, &a.AnswerMethod, &a.HangupURL,
		&a.StatusCallbackURL, &createdAt, &updatedAt)
	a.CreatedAt, a.UpdatedAt = unixTime(&createdAt), unixTime(&updatedAt)
	return a, err
}

// CreateApplication stores a with the store clock's now as its times.
func (s *Store) CreateApplication(ctx context.Context, a numberpool.Application) (numberpool.Application, error) {
	err := s.inTx(ctx, "create application "+a.ID+" of account "+a.AccountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		_, err := tx.Exec(ctx, `
			INSERT INTO applications (id, account_id, name, answer_url, answer_method, hangup_url,
				status_callback_url, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			a.ID, a.AccountID, a.Name, a.AnswerURL, a.AnswerMethod, a.HangupURL, a.StatusCallbackURL, now.Unix())
		switch sqlstate(err) {
		case sqlstateForeignKeyViolation:
			return accountNotFound(a.AccountID)
		case sqlstateUniqueViolation:
			return numberpool.Errorf(numberpool.CodeConflict, "application %s already exists", a.ID)
		}
		a.CreatedAt, a.UpdatedAt = now, now
		return err
	})
	return a, err
}

// GetApplication returns the account's application, or NOT_FOUND.
func (s *Store) GetApplication(ctx context.Context, accountID, applicationID string) (numberpool.Application, error) {
	var a numberpool.Application
	err := s.inTx(ctx, "get application "+applicationID+" of account "+accountID, func(tx pgx.Tx) error {
		var err error
		a, err = getApplication(ctx, tx, accountID, applicationID, "")
		return err
	})
	return a, err
}

func getApplication(ctx context.Context, tx pgx.Tx, accountID, applicationID, lock string) (numberpool.Application, error) {
	a, err := scanApplication(tx.QueryRow(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL `+lock, applicationID, accountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return numberpool.Application{}, applicationNotFound(applicationID)
	}
	return a, err
}

// ListApplications returns one page of the account's applications, oldest
// first.
func (s *Store) ListApplications(ctx context.Context, accountID string, p numberpool.Page) ([]numberpool.Application, int, error) {
	var apps []numberpool.Application
	var total int
	err := s.inTx(ctx, "list applications of account "+accountID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return err
		}
		const where = ` FROM applications WHERE account_id = $1 AND deleted_at IS NULL`
		if err := tx.QueryRow(ctx, `SELECT count(*)`+where, accountID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+applicationColumns+where+` ORDER BY created_at, id LIMIT $2 OFFSET $3`,
			accountID, p.PerPage, p.Offset())
		if err != nil {
			return err
		}
		defer rows.Close()
		apps = []numberpool.Application{}
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
	err := s.inTx(ctx, "update application "+applicationID+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		var err error
		a, err = scanApplication(tx.QueryRow(ctx, `
			UPDATE applications SET name = $3, answer_url = $4, answer_method = $5, hangup_url = $6,
				status_callback_url = $7, updated_at = $8
			WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL
			RETURNING `+applicationColumns,
			applicationID, accountID, spec.Name, spec.AnswerURL, spec.AnswerMethod, spec.HangupURL,
			spec.StatusCallbackURL, now.Unix()))
		if errors.Is(err, pgx.ErrNoRows) {
			return applicationNotFound(applicationID)
		}
		return err
	})
	return a, err
}

// DeleteApplication deletes the account's application. It returns
// NOT_FOUND, or CONFLICT listing the numbers that still route to it.
func (s *Store) DeleteApplication(ctx context.Context, accountID, applicationID string) error {
	return s.inTx(ctx, "delete application "+applicationID+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		if _, err := getApplication(ctx, tx, accountID, applicationID, "FOR UPDATE"); err != nil {
			return err
		}
		if err := checkNotRouted(ctx, tx, numberpool.RouteApplication, accountID, applicationID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE applications SET deleted_at = $2 WHERE id = $1`, applicationID, now.Unix())
		return err
	})
}

// routeTarget returns the trunk and application that a number should route
// to, given the number as it is.
type routeTarget func(tx pgx.Tx, n numberpool.Number) (trunkID, applicationID string, err error)

// AssignTrunk routes the account's active number to its trunk and clears the
// application.
func (s *Store) AssignTrunk(ctx context.Context, accountID, e164, trunkID string) (numberpool.Number, error) {
	return s.route(ctx, "assign trunk "+trunkID+" to "+e164, accountID, e164, func(tx pgx.Tx, _ numberpool.Number) (string, string, error) {
		_, err := getTrunk(ctx, tx, accountID, trunkID, "FOR SHARE")
		return trunkID, "", err
	})
}

// AssignApplication routes the account's active number to its application
// and clears the trunk.
func (s *Store) AssignApplication(ctx context.Context, accountID, e164, applicationID string) (numberpool.Number, error) {
	return s.route(ctx, "assign application "+applicationID+" to "+e164, accountID, e164, func(tx pgx.Tx, _ numberpool.Number) (string, string, error) {
		_, err := getApplication(ctx, tx, accountID, applicationID, "FOR SHARE")
		return "", applicationID, err
	})
}

// UnassignTrunk clears the trunk of the account's active number.
func (s *Store) UnassignTrunk(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	return s.route(ctx, "unassign trunk of "+e164, accountID, e164, func(_ pgx.Tx, n numberpool.Number) (string, string, error) {
		return "", n.ApplicationID, nil
	})
}

// UnassignApplication clears the application of the account's active
// number.
func (s *Store) UnassignApplication(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	return s.route(ctx, "unassign application of "+e164, accountID, e164, func(_ pgx.Tx, n numberpool.Number) (string, string, error) {
		return n.TrunkID, "", nil
	})
}

// route sets the trunk and application of an active number to the ids that
// target returns, under the number's row lock.
func (s *Store) route(ctx context.Context, op, accountID, e164 string, target routeTarget) (numberpool.Number, error) {
	var n numberpool.Number
	err := s.inTx(ctx, op+" of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		var err error
		n, err = activeNumber(ctx, tx, accountID, e164, now)
		if err != nil {
			return err
		}
		trunkID, applicationID, err := target(tx, n)
		if err != nil {
			return err
		}

		tag, err := tx.Exec(ctx, `
			UPDATE numbers SET trunk_id = $3, application_id = $4, updated_at = $5
			WHERE e164 = $1 AND account_id = $2 AND status = 'active'`,
			e164, accountID, nullIfEmpty(trunkID), nullIfEmpty(applicationID), now.Unix())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return numberpool.Errorf(numberpool.CodeConflict, "number %s changed during the request; retry it", e164)
		}
		n.TrunkID, n.ApplicationID, n.UpdatedAt = trunkID, applicationID, now
		return nil
	})
	return n, err
}

// activeNumber locks the account's number FOR UPDATE and returns CONFLICT
// unless it is active at now.
func activeNumber(ctx context.Context, tx pgx.Tx, accountID, e164 string, now time.Time) (numberpool.Number, error) {
	n, _, err := selectHeld(ctx, tx, accountID, e164, now, true)
	if err != nil {
		return numberpool.Number{}, err
	}
	if n.StatusAt(now) != numberpool.StatusActive {
		return numberpool.Number{}, numberpool.Errorf(numberpool.CodeConflict,
			"number %s is released: cancel the release before changing it", e164)
	}
	return n, nil
}

// routeTable is the table of each route kind.
var routeTable = map[numberpool.RouteKind]string{
	numberpool.RouteTrunk:       "trunks",
	numberpool.RouteApplication: "applications",
}

// routeOf returns the route of n with the name of its trunk or application
// when the store has it, for the release preview's warning.
func routeOf(ctx context.Context, tx pgx.Tx, n numberpool.Number) (numberpool.Route, bool, error) {
	route, ok := numberpool.RouteOf(n)
	if !ok {
		return route, false, nil
	}
	err := tx.QueryRow(ctx, `SELECT name FROM `+routeTable[route.Kind]+`
		WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL`, route.ID, n.AccountID).Scan(&route.Name)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return route, false, fmt.Errorf("read %s %s: %w", route.Kind, route.ID, err)
	}
	return route, true, nil
}

// restorableRoute returns the assignment that a cancelled release may put
// back, and a warning instead when its trunk or application was deleted
// after the release. An id that no stored trunk or application has, as an
// import may set, is restored as it was. The FOR SHARE lock keeps the
// trunk or application from being deleted before the cancel commits.
func restorableRoute(ctx context.Context, tx pgx.Tx, accountID string, trunkID, applicationID *string) (*string, *string, []string, error) {
	warnings := []string{}
	route, ok := numberpool.RouteOf(numberpool.Number{TrunkID: emptyIfNull(trunkID), ApplicationID: emptyIfNull(applicationID)})
	if !ok {
		return trunkID, applicationID, warnings, nil
	}

	var owner string
	var deletedAt *int64
	err := tx.QueryRow(ctx, `SELECT account_id, deleted_at FROM `+routeTable[route.Kind]+` WHERE id = $1 FOR SHARE`,
		route.ID).Scan(&owner, &deletedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return trunkID, applicationID, warnings, nil
	case err != nil:
		return nil, nil, nil, fmt.Errorf("read %s %s: %w", route.Kind, route.ID, err)
	case deletedAt != nil || owner != accountID:
		return nil, nil, []string{route.RestoreWarning()}, nil
	}
	return trunkID, applicationID, warnings, nil
}
