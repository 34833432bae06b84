package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

// numberColumns is the column list that scanNumber reads, in its order.
const numberColumns = `e164, country, type, region, capabilities, monthly_fee_cents,
	setup_fee_cents, status, account_id, trunk_id, application_id, purchased_at,
	updated_at, release_id, released_at, available_after`

// capabilityBits maps each capability to its bit in numbers.capabilities, in
// the order that lists return them.
var capabilityBits = []struct {
	capability numberpool.Capability
	bit        int16
}{
	{numberpool.CapabilityVoice, 1},
	{numberpool.CapabilitySMS, 2},
	{numberpool.CapabilityMMS, 4},
}

// capabilitiesToBits ignores unknown capabilities, which callers have
// rejected before.
func capabilitiesToBits(capabilities []numberpool.Capability) int16 {
	var bits int16
	for _, c := range capabilities {
		for _, cb := range capabilityBits {
			if cb.capability == c {
				bits |= cb.bit
			}
		}
	}
	return bits
}

func bitsToCapabilities(bits int16) []numberpool.Capability {
	capabilities := []numberpool.Capability{}
	for _, cb := range capabilityBits {
		if bits&cb.bit != 0 {
			capabilities = append(capabilities, cb.capability)
		}
	}
	return capabilities
}

// unixTime converts a stored Unix-seconds column, where NULL is the zero time.
func unixTime(seconds *int64) time.Time {
	if seconds == nil {
		return time.Time{}
	}
	return time.Unix(*seconds, 0).UTC()
}

// unixSeconds is the inverse of unixTime.
func unixSeconds(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	seconds := t.Unix()
	return &seconds
}

// scanNumber reads one row of numberColumns and the id of the number's
// current release, 0 when it has none.
func scanNumber(row pgx.Row) (numberpool.Number, int64, error) {
	var (
		n                                       numberpool.Number
		capabilities                            int16
		accountID, trunkID, applicationID       *string
		purchasedAt, releasedAt, availableAfter *int64
		releaseID                               *int64
		updatedAt                               int64
		monthlyFee, setupFee                    int64
	)
	err := row.Scan(&n.E164, &n.Country, &n.Type, &n.Region, &capabilities, &monthlyFee,
		&setupFee, &n.Status, &accountID, &trunkID, &applicationID, &purchasedAt,
		&updatedAt, &releaseID, &releasedAt, &availableAfter)
	if err != nil {
		return numberpool.Number{}, 0, err
	}

	n.Capabilities = bitsToCapabilities(capabilities)
	n.MonthlyFee, n.SetupFee = numberpool.Cents(monthlyFee), numberpool.Cents(setupFee)
	n.AccountID, n.TrunkID, n.ApplicationID = emptyIfNull(accountID), emptyIfNull(trunkID), emptyIfNull(applicationID)
	n.PurchasedAt, n.UpdatedAt = unixTime(purchasedAt), unixTime(&updatedAt)
	n.ReleasedAt, n.AvailableAfter = unixTime(releasedAt), unixTime(availableAfter)
	var id int64
	if releaseID != nil {
		id = *releaseID
	}
	return n, id, nil
}

func emptyIfNull(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// selectHeld reads e164 and returns NOT_FOUND unless accountID holds it at
// now. With lock set it takes the row lock that every transition holds availableAfter
// its commit.
func selectHeld(ctx context.Context, tx pgx.Tx, accountID, e164 string, now time.Time, lock bool) (numberpool.Number, int64, error) {
	query := `SELECT ` + numberColumns + ` FROM numbers WHERE e164 = $1`
	if lock {
		query += ` FOR UPDATE`
	}

	n, releaseID, err := scanNumber(tx.QueryRow(ctx, query, e164))
	if errors.Is(err, pgx.ErrNoRows) {
		return numberpool.Number{}, 0, numberpool.NumberNotFound(e164)
	}
	if err != nil {
		return numberpool.Number{}, 0, err
	}
	if !n.OwnedBy(accountID, now) {
		return numberpool.Number{}, 0, numberpool.NumberNotFound(e164)
	}
	return n, releaseID, nil
}

// GetNumber returns a number that accountID holds at the store clock's now,
// or NOT_FOUND. A released number whose cooling-off period has ended is no
// longer the account's, whether or not a sweeper has rewritten its row.
func (s *Store) GetNumber(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	var n numberpool.Number
	err := s.inTx(ctx, "get number "+e164+" of account "+accountID, func(tx pgx.Tx) error {
		var err error
		n, _, err = selectHeld(ctx, tx, accountID, e164, numberpool.NowSeconds(s.clock), false)
		return err
	})
	return n, err
}

// heldFilter selects the numbers that account $1 holds at $2 with the
// optional country $3 and status $4. An empty string matches any.
const heldFilter = `
	WHERE account_id = $1
	  AND (status = 'active' OR (status = 'released' AND available_after > $2))
	  AND ($3::text = '' OR country = $3)
	  AND ($4::text = '' OR ($4 = 'released' AND status = 'released')
	       OR ($4 IN ('active', 'suspended') AND status = 'active'
	           AND ($4 = 'suspended') = EXISTS (
	               SELECT 1 FROM holds
	               WHERE holds.account_id = numbers.account_id AND holds.e164 IN (numbers.e164, '')
	                 AND holds.kind = 'billing' AND holds.lifted_at IS NULL)))`

// ListNumbers returns one page of the numbers that accountID holds, ordered
// by purchase time, then E.164, with the total over all pages.
func (s *Store) ListNumbers(ctx context.Context, accountID string, f numberpool.NumberFilter) (numberpool.NumberPage, error) {
	if err := f.Validate(); err != nil {
		return numberpool.NumberPage{}, err
	}

	var page numberpool.NumberPage
	err := s.inTx(ctx, "list numbers of account "+accountID, func(tx pgx.Tx) error {
		// The count and the page read one snapshot, so that Total matches the
		// pages. A read-only transaction takes no row locks, so REPEATABLE
		// READ cannot fail here with a serialization failure.
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`); err != nil {
			return err
		}
		now := numberpool.NowSeconds(s.clock).Unix()
		args := []any{accountID, now, f.Country, string(f.Status)}

		if err := tx.QueryRow(ctx, `SELECT count(*) FROM numbers`+heldFilter, args...).Scan(&page.Total); err != nil {
			return err
		}

		// Capping the page keeps the offset far from overflow, and a page that
		// large is past the end anyway.
		offset := (int64(min(f.Page, math.MaxInt32)) - 1) * int64(f.PerPage)
		query := `SELECT ` + numberColumns + ` FROM numbers` + heldFilter +
			` ORDER BY purchased_at, e164 LIMIT $5 OFFSET $6`
		rows, err := tx.Query(ctx, query, append(args, f.PerPage, offset)...)
		if err != nil {
			return err
		}
		page.Numbers, err = collectNumbers(rows)
		return err
	})
	return page, err
}

func collectNumbers(rows pgx.Rows) ([]numberpool.Number, error) {
	defer rows.Close()
	numbers := []numberpool.Number{}
	for rows.Next() {
		n, _, err := scanNumber(rows)
		if err != nil {
			return nil, err
		}
		numbers = append(numbers, n)
	}
	return numbers, rows.Err()
}
