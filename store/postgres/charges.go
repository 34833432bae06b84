package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

var _ numberpool.ChargeStore = (*Store)(nil)

// ListCharges returns the account's charges in the order they were
// recorded, voided ones included. An account without charges, or one that
// does not exist, has an empty list.
func (s *Store) ListCharges(ctx context.Context, accountID string) ([]numberpool.Charge, error) {
	var charges []numberpool.Charge
	err := s.inTx(ctx, "list charges of account "+accountID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT e164, kind, amount_cents, created_at, voided_at FROM charges
			WHERE account_id = $1
			ORDER BY created_at, id`, accountID)
		if err != nil {
			return err
		}
		defer rows.Close()

		charges = []numberpool.Charge{}
		for rows.Next() {
			c := numberpool.Charge{AccountID: accountID}
			var amountCents, createdAt int64
			var voidedAt *int64
			if err := rows.Scan(&c.E164, &c.Kind, &amountCents, &createdAt, &voidedAt); err != nil {
				return err
			}
			c.Amount = numberpool.Cents(amountCents)
			c.CreatedAt, c.VoidedAt = unixTime(&createdAt), unixTime(voidedAt)
			charges = append(charges, c)
		}
		return rows.Err()
	})
	return charges, err
}
