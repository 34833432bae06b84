package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"numberpool"
)

// numberColumns are the columns scanNumber reads, in its order.
const numberColumns = `e164, country, type, region, capabilities, monthly_fee_cents, setup_fee_cents,
	status, account_id, trunk_id, application_id, purchased_at, release_id, released_at,
	available_after, updated_at`

// numberRow is a number as stored, with the id of its current release.
type numberRow struct {
	numberpool.Number
	releaseID int64 // 0 unless released
}

type scanner interface {
	Scan(dest ...any) error
}

// scanNumber converts one row of numberColumns.
func scanNumber(sc scanner) (numberRow, error) {
	return newNumberScan().scan(sc)
}

// numberScan is the set of scan targets of numberColumns. A query that
// returns many rows reuses one, so a row allocates only its strings.
type numberScan struct {
	n                                         numberpool.Number
	capabilities                              int64
	accountID, trunkID, applicationID         sql.NullString
	purchasedAt, releasedAt, availableAfter   sql.NullInt64
	releaseID                                 sql.NullInt64
	updatedAt, monthlyFeeCents, setupFeeCents int64
	dest                                      []any
}

func newNumberScan() *numberScan {
	ns := &numberScan{}
	ns.dest = []any{&ns.n.E164, &ns.n.Country, &ns.n.Type, &ns.n.Region, &ns.capabilities,
		&ns.monthlyFeeCents, &ns.setupFeeCents, &ns.n.Status, &ns.accountID, &ns.trunkID,
		&ns.applicationID, &ns.purchasedAt, &ns.releaseID, &ns.releasedAt, &ns.availableAfter,
		&ns.updatedAt}
	return ns
}

// scan reads the current row of sc.
func (ns *numberScan) scan(sc scanner) (numberRow, error) {
	ns.n = numberpool.Number{}
	if err := sc.Scan(ns.dest...); err != nil {
		return numberRow{}, err
	}

	n := ns.n
	n.Capabilities = decodeCapabilities(ns.capabilities)
	n.MonthlyFee = numberpool.Cents(ns.monthlyFeeCents)
	n.SetupFee = numberpool.Cents(ns.setupFeeCents)
	n.AccountID = ns.accountID.String
	n.TrunkID = ns.trunkID.String
	n.ApplicationID = ns.applicationID.String
	n.PurchasedAt = fromUnix(ns.purchasedAt)
	n.ReleasedAt = fromUnix(ns.releasedAt)
	n.AvailableAfter = fromUnix(ns.availableAfter)
	n.UpdatedAt = time.Unix(ns.updatedAt, 0).UTC()
	return numberRow{Number: n, releaseID: ns.releaseID.Int64}, nil
}

// capabilityBits is the stored bit of each capability, in the order the API
// lists them.
var capabilityBits = []struct {
	capability numberpool.Capability
	bit        int64
}{
	{numberpool.CapabilityVoice, 1},
	{numberpool.CapabilitySMS, 2},
	{numberpool.CapabilityMMS, 4},
}

func encodeCapabilities(cs []numberpool.Capability) int64 {
	var bits int64
	for _, c := range cs {
		for _, cb := range capabilityBits {
			if cb.capability == c {
				bits |= cb.bit
			}
		}
	}
	return bits
}

func decodeCapabilities(bits int64) []numberpool.Capability {
	cs := []numberpool.Capability{}
	for _, cb := range capabilityBits {
		if bits&cb.bit != 0 {
			cs = append(cs, cb.capability)
		}
	}
	return cs
}

// fromUnix converts stored Unix seconds. NULL becomes the zero time.
func fromUnix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

// toUnix converts a time to stored Unix seconds. The zero time becomes NULL.
func toUnix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// heldNumber loads e164 if accountID holds it at now, and returns NOT_FOUND
// otherwise: a number of another account, a missing one and one whose
// cooling-off period has ended all give the same error.
func heldNumber(ctx context.Context, q querier, accountID, e164 string, now time.Time) (numberRow, error) {
	row, err := scanNumber(q.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = ?`, e164))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !row.OwnedBy(accountID, now)) {
		return numberRow{}, numberpool.NumberNotFound(e164)
	}
	return row, err
}

// GetNumber returns a number the account holds (active, or released and
// still cancellable), or NOT_FOUND.
func (s *Store) GetNumber(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	now := numberpool.NowSeconds(s.clock)
	row, err := heldNumber(ctx, s.reader, accountID, e164, now)
	if err != nil {
		return numberpool.Number{}, wrapError("get number "+e164+" of account "+accountID, err)
	}
	return row.Number, nil
}

// listWhere selects the numbers an account holds at :now, by the times
// rather than the status alone, so that a release whose cooling-off period
// has ended drops out before any sweeper rewrites its row.
const listWhere = `
	WHERE account_id = :account
	  AND (status = 'active' OR (status = 'released' AND available_after > :now))
	  AND (:country = '' OR country = :country)
	  AND (:status = '' OR (:status = 'released' AND status = 'released')
	       OR (:status IN ('active', 'suspended') AND status = 'active'
	           AND (:status = 'suspended') = EXISTS (
	               SELECT 1 FROM holds
	               WHERE holds.account_id = numbers.account_id AND holds.e164 IN (numbers.e164, '')
	                 AND holds.kind = 'billing' AND holds.lifted_at IS NULL)))`

// listQuery pages in the order of the index numbers_account, so that SQLite
// reads the page from the index without sorting.
const listQuery = `SELECT ` + numberColumns + ` FROM numbers` + listWhere + `
	ORDER BY purchased_at, e164
	LIMIT :limit OFFSET :offset`

// ListNumbers returns the account's numbers held at now, ordered by purchase
// time, then E.164, with the total across all pages.
func (s *Store) ListNumbers(ctx context.Context, accountID string, f numberpool.NumberFilter) (numberpool.NumberPage, error) {
	if err := f.Validate(); err != nil {
		return numberpool.NumberPage{}, err
	}

	page := numberpool.NumberPage{Numbers: []numberpool.Number{}}
	err := s.read(ctx, "list numbers of account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		args := []any{
			sql.Named("account", accountID), sql.Named("now", now.Unix()),
			sql.Named("country", f.Country), sql.Named("status", string(f.Status)),
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM numbers`+listWhere, args...).Scan(&page.Total); err != nil {
			return err
		}

		// Capping the page keeps the offset far from overflow. Any page that
		// large is past the end anyway.
		offset := (int64(min(f.Page, math.MaxInt32)) - 1) * int64(f.PerPage)
		args = append(args, sql.Named("limit", f.PerPage), sql.Named("offset", offset))
		rows, err := tx.QueryContext(ctx, listQuery, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		scan := newNumberScan()
		for rows.Next() {
			row, err := scan.scan(rows)
			if err != nil {
				return err
			}
			page.Numbers = append(page.Numbers, row.Number)
		}
		return rows.Err()
	})
	return page, err
}
