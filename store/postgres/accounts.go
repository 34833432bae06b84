package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

// CreateAccount adds an account created at the store clock's now. It returns
// CONFLICT when the id exists. Callers check the id's form with
// numberpool.ValidateAccountID.
func (s *Store) CreateAccount(ctx context.Context, id string) (numberpool.Account, error) {
	var account numberpool.Account
	err := s.inTx(ctx, "create account "+id, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		_, err := tx.Exec(ctx, `INSERT INTO accounts (id, created_at) VALUES ($1, $2)`, id, now.Unix())
		if sqlstate(err) == sqlstateUniqueViolation {
			return numberpool.Errorf(numberpool.CodeConflict, "account %s already exists", id)
		}
		account = numberpool.Account{ID: id, CreatedAt: now}
		return err
	})
	return account, err
}

// GetAccount returns NOT_FOUND when the account does not exist.
func (s *Store) GetAccount(ctx context.Context, id string) (numberpool.Account, error) {
	var account numberpool.Account
	err := s.inTx(ctx, "get account "+id, func(tx pgx.Tx) error {
		var createdAt int64
		err := tx.QueryRow(ctx, `SELECT created_at FROM accounts WHERE id = $1`, id).Scan(&createdAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return accountNotFound(id)
		}
		account = numberpool.Account{ID: id, CreatedAt: unixTime(&createdAt)}
		return err
	})
	return account, err
}

func accountNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "account %s not found", id)
}

// CreateAPIKey stores the hash of a new key of the account. It returns
// NOT_FOUND when the account does not exist and CONFLICT when the hash is
// already stored.
func (s *Store) CreateAPIKey(ctx context.Context, accountID string, keyHash []byte) error {
	return s.inTx(ctx, "create API key of account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (key_hash, account_id, created_at) VALUES ($1, $2, $3)`,
			keyHash, accountID, now.Unix())
		switch sqlstate(err) {
		case sqlstateForeignKeyViolation:
			return accountNotFound(accountID)
		case sqlstateUniqueViolation:
			return numberpool.Errorf(numberpool.CodeConflict, "the API key already exists")
		}
		return err
	})
}

// AccountForKey returns the account id that owns the key with this hash, or
// NOT_FOUND.
func (s *Store) AccountForKey(ctx context.Context, keyHash []byte) (string, error) {
	var accountID string
	// The hash stays out of errors and logs because it identifies a secret.
	err := s.inTx(ctx, "find account of API key", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT account_id FROM api_keys WHERE key_hash = $1`, keyHash).Scan(&accountID)
		if errors.Is(err, pgx.ErrNoRows) {
			return numberpool.Errorf(numberpool.CodeNotFound, "API key not found")
		}
		return err
	})
	return accountID, err
}
