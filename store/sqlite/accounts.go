package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"numberpool"
)

// CreateAccount adds an account. It returns CONFLICT when the id exists.
// Callers check the id's form with numberpool.ValidateAccountID.
func (s *Store) CreateAccount(ctx context.Context, id string) (numberpool.Account, error) {
	now := numberpool.NowSeconds(s.clock)
	_, err := s.writer.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES (?, ?)`, id, now.Unix())
	if isDuplicate(err) {
		return numberpool.Account{}, numberpool.Errorf(numberpool.CodeConflict, "account %s already exists", id)
	}
	if err != nil {
		return numberpool.Account{}, wrapError("create account "+id, err)
	}
	return numberpool.Account{ID: id, CreatedAt: now}, nil
}

// GetAccount returns the account, or NOT_FOUND.
func (s *Store) GetAccount(ctx context.Context, id string) (numberpool.Account, error) {
	var createdAt int64
	err := s.reader.QueryRowContext(ctx, `SELECT created_at FROM accounts WHERE id = ?`, id).Scan(&createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return numberpool.Account{}, accountNotFound(id)
	}
	if err != nil {
		return numberpool.Account{}, wrapError("get account "+id, err)
	}
	return numberpool.Account{ID: id, CreatedAt: time.Unix(createdAt, 0).UTC()}, nil
}

func accountNotFound(id string) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "account %s not found", id)
}

// CreateAPIKey stores the hash of a new key of the account. It returns
// NOT_FOUND when the account does not exist and CONFLICT when the hash is
// already stored.
func (s *Store) CreateAPIKey(ctx context.Context, accountID string, keyHash []byte) error {
	now := numberpool.NowSeconds(s.clock)
	_, err := s.writer.ExecContext(ctx, `INSERT INTO api_keys (key_hash, account_id, created_at) VALUES (?, ?, ?)`,
		keyHash, accountID, now.Unix())
	switch {
	case isForeignKey(err):
		return accountNotFound(accountID)
	case isDuplicate(err):
		return numberpool.Errorf(numberpool.CodeConflict, "the API key already exists")
	case err != nil:
		return wrapError("create API key of account "+accountID, err)
	}
	return nil
}

// AccountForKey returns the id of the account that owns the key with this
// hash, or NOT_FOUND.
func (s *Store) AccountForKey(ctx context.Context, keyHash []byte) (string, error) {
	var accountID string
	err := s.reader.QueryRowContext(ctx, `SELECT account_id FROM api_keys WHERE key_hash = ?`, keyHash).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", numberpool.Errorf(numberpool.CodeNotFound, "API key not found")
	}
	if err != nil {
		return "", wrapError("look up API key", err)
	}
	return accountID, nil
}
