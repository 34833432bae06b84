package sqlite

import (
	"context"
	"database/sql"
	"time"

	"numberpool"
)

// ListCharges returns the account's charges in the order they were
// recorded, voided ones included, or an empty list.
func (s *Store) ListCharges(ctx context.Context, accountID string) ([]numberpool.Charge, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT e164, kind, amount_cents, created_at, voided_at FROM charges
		WHERE account_id = ?
		ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, wrapError("list charges of account "+accountID, err)
	}
	defer rows.Close()

	charges := []numberpool.Charge{}
	for rows.Next() {
		c := numberpool.Charge{AccountID: accountID}
		var amountCents, createdAt int64
		var voidedAt sql.NullInt64
		if err := rows.Scan(&c.E164, &c.Kind, &amountCents, &createdAt, &voidedAt); err != nil {
			return nil, wrapError("list charges of account "+accountID, err)
		}
		c.Amount = numberpool.Cents(amountCents)
		c.CreatedAt = time.Unix(createdAt, 0).UTC()
		c.VoidedAt = fromUnix(voidedAt)
		charges = append(charges, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapError("list charges of account "+accountID, err)
	}
	return charges, nil
}
