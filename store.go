package numberpool

import (
	"context"
	"iter"
)

// AccountStore keeps accounts and their API keys.
type AccountStore interface {
	// CreateAccount adds an account. It returns CONFLICT when the id exists.
	CreateAccount(ctx context.Context, id string) (Account, error)
	// GetAccount returns NOT_FOUND when the account does not exist.
	GetAccount(ctx context.Context, id string) (Account, error)
	// CreateAPIKey stores the hash of a new key of the account. It returns
	// NOT_FOUND when the account does not exist.
	CreateAPIKey(ctx context.Context, accountID string, keyHash []byte) error
	// AccountForKey returns the account id that owns the key with this hash,
	// or NOT_FOUND.
	AccountForKey(ctx context.Context, keyHash []byte) (string, error)
}

// NumberFilter selects an account's numbers for a list.
type NumberFilter struct {
	Country string // ISO 3166-1 alpha-2, empty for any
	// Status is the status that the number object shows (DisplayStatus):
	// StatusActive, StatusSuspended (active under a billing hold) or
	// StatusReleased, empty for all.
	Status  Status
	Page    int // from 1
	PerPage int // 1 to 100
}

// NumberPage is one page of a list with the total across all pages.
type NumberPage struct {
	Numbers []Number
	Total   int
}

// NumberStore keeps numbers and runs their transitions. Every method that
// changes a number does so in one transaction, reads the clock once inside
// it, and guards the change with the expected current state, so of two racing
// requests at most one succeeds.
type NumberStore interface {
	// GetNumber returns a number the account holds (active, or released and
	// still cancellable), or NOT_FOUND.
	GetNumber(ctx context.Context, accountID, e164 string) (Number, error)
	// ListNumbers returns the account's numbers ordered by purchase time, then
	// E.164, so paging never skips or repeats an unchanged number.
	ListNumbers(ctx context.Context, accountID string, f NumberFilter) (NumberPage, error)
	// PreviewRelease returns NOT_FOUND when the account does not hold e164.
	PreviewRelease(ctx context.Context, accountID, e164 string) (Preview, error)
	// ReleaseNumber releases e164 and records the early termination fee owed.
	// It returns NOT_FOUND, CONFLICT when already released, or
	// RELEASE_BLOCKED.
	ReleaseNumber(ctx context.Context, accountID, e164 string) (Release, error)
	// CancelRelease makes e164 active again as it was before the release and
	// voids the release's fee. It returns NOT_FOUND (also once the cooling-off
	// period has ended) or CONFLICT when e164 is not released.
	CancelRelease(ctx context.Context, accountID, e164 string) (Cancellation, error)
}

// InventoryStore loads numbers into the pool.
type InventoryStore interface {
	// ImportNumbers adds every number of seq in one transaction: all or none.
	// A number that already exists fails the import with CONFLICT naming it,
	// and an unknown AccountID with NOT_FOUND. When ctx ends before the
	// import commits, even while seq is still yielding or just after it
	// returned, nothing is stored: a reader of seq that finds the input
	// invalid cancels ctx to abort. It returns the count added.
	ImportNumbers(ctx context.Context, seq iter.Seq[Number]) (int, error)
	// ScanNumbers passes every number of the store to fn in E.164 order,
	// with E164, Country, Type, Status and AccountID set, from one
	// snapshot. It stops at the first error of fn and returns it.
	ScanNumbers(ctx context.Context, fn func(Number) error) error
}

// Store is everything a backend provides.
type Store interface {
	AccountStore
	NumberStore
	InventoryStore
	PoolStore
	RoutingStore
	BlockerStore
	// Ping checks that the database accepts queries.
	Ping(ctx context.Context) error
	Close() error
}

// ChargeStore reads the charges that transitions record. It is not part of
// Store yet; the conformance suite requires it of every backend.
type ChargeStore interface {
	// ListCharges returns the account's charges in the order they were
	// recorded, voided ones included. An account without charges, or one
	// that does not exist, has an empty list.
	ListCharges(ctx context.Context, accountID string) ([]Charge, error)
}
