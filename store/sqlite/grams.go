package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// IndexGrams moves up to limit numbers from gram_pending to pool_grams, the
// 4-gram index of contains searches, in one write transaction, and returns
// how many it moved. Each number writes about seven rows to random places of
// pool_grams, so a limit of a few hundred keeps the transaction, which other
// writers wait for, near 10 ms. Its commit is not synced: a batch lost to a
// power failure leaves its numbers pending, where searches still find them,
// and a later batch moves them again. That indexed 300,000 numbers at 11,200
// to 11,900 a second instead of 9,500 to 9,800 (bench/poolbench -mode import).
func (s *Store) IndexGrams(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("index grams: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.writeUnsynced(ctx, "index 4-grams of numbers", func(tx *sql.Tx) error {
		ids, err := pendingGrams(ctx, tx, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return fmt.Errorf("encode pending ids: %w", err)
		}

		_, err = tx.ExecContext(ctx, `
			INSERT OR IGNORE INTO pool_grams (gram, country, nsn, e164)
			SELECT substr(n.nsn, i, 4), n.country, n.nsn, n.e164
			FROM gram_pending AS p
			JOIN numbers AS n ON n.e164 = p.e164
			JOIN gram_positions ON i <= length(n.nsn) - 3
			WHERE p.id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return fmt.Errorf("insert 4-grams: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gram_pending WHERE id IN (SELECT value FROM json_each(?))`, string(list)); err != nil {
			return fmt.Errorf("delete pending numbers: %w", err)
		}
		count = len(ids)
		return nil
	})
	return count, err
}

func pendingGrams(ctx context.Context, tx *sql.Tx, limit int) ([]int64, error) {
	ids, err := queryColumn[int64](ctx, tx, `SELECT id FROM gram_pending ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("select pending numbers: %w", err)
	}
	return ids, nil
}

// queryColumn returns the values of the one column that query selects.
func queryColumn[T any](ctx context.Context, tx *sql.Tx, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var values []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, rows.Err()
}
