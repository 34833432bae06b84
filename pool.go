package numberpool

import (
	"context"
	"time"
)

// PoolStore searches the pool, sells numbers from it, and takes back the
// numbers whose cooling-off period has ended.
type PoolStore interface {
	// SearchInventory returns the numbers available at now that match f:
	// available ones, and released ones whose cooling-off period has ended,
	// ordered by national significant number, then E.164. It returns
	// VALIDATION_FAILED for an invalid filter.
	SearchInventory(ctx context.Context, f SearchFilter) (SearchPage, error)
	// PurchaseNumber makes e164 an active number of accountID, bought now,
	// and charges its setup fee. It returns NOT_FOUND when the pool never had
	// the number, VALIDATION_FAILED when country is not the number's, and
	// CONFLICT when the number is owned or cooling off (see PlanPurchase).
	PurchaseNumber(ctx context.Context, accountID, e164, country string) (Number, error)
	// Sweep returns up to limit numbers whose cooling-off period has ended
	// to the pool, records when each returned, and returns how many it
	// returned. It never returns a number before its available_after.
	Sweep(ctx context.Context, limit int) (int, error)
}

// NotInInventory returns the NOT_FOUND error of a purchase of a number that
// the pool does not hold.
func NotInInventory(e164 string) *Error {
	return Errorf(CodeNotFound, "number %s is not in the inventory: search it with GET /v1/account/{account_id}/inventory/numbers", e164)
}

// PlanPurchase checks that accountID can buy n at now, with country as the
// request gives it. It returns VALIDATION_FAILED when country is not the
// number's, and CONFLICT when n is active or still cooling off. For the
// account that released it, the CONFLICT message points to cancel-release,
// which gives the number back at once.
func PlanPurchase(n Number, accountID, country string, now time.Time) error {
	if country != n.Country {
		return Validation("country", "must be the country of the number",
			"invalid country %q: number %s belongs to %s", shortSearchValue(country), n.E164, n.Country)
	}

	switch n.StatusAt(now) {
	case StatusAvailable:
		return nil
	case StatusReleased:
		return coolingOffConflict(n, accountID)
	}
	if n.AccountID == accountID {
		return Errorf(CodeConflict, "number %s is already active in your account", n.E164)
	}
	return Errorf(CodeConflict, "number %s is not available: another account owns it", n.E164)
}

func coolingOffConflict(n Number, accountID string) *Error {
	if n.AccountID == accountID {
		return Errorf(CodeConflict,
			"number %s was released by your account and is cooling off until %s; to keep it, cancel the release with POST /v1/account/%s/numbers/%s/cancel-release",
			n.E164, FormatTime(n.AvailableAfter), accountID, n.E164)
	}
	return Errorf(CodeConflict, "number %s is cooling off after a release and is available after %s",
		n.E164, FormatTime(n.AvailableAfter))
}

// Purchased returns n as accountID holds it after buying it at now: active,
// with a fresh purchase time, so a new early termination fee term starts, and
// without routing or release.
func Purchased(n Number, accountID string, now time.Time) Number {
	n.Status = StatusActive
	n.AccountID = accountID
	n.TrunkID, n.ApplicationID = "", ""
	n.PurchasedAt, n.UpdatedAt = now, now
	n.ReleasedAt, n.AvailableAfter = time.Time{}, time.Time{}
	return n
}

// ValidatePurchase checks the fields of a purchase request before a store
// looks the number up.
func ValidatePurchase(e164, country string) error {
	var errs searchErrors
	if e164 == "" {
		errs.add(Validation("e164", "is required", "missing e164: give the number to buy, e.g. +14155551234"))
	} else if _, _, err := ParseNewE164Number("e164", e164); err != nil {
		errs.add(err.(*Error))
	}
	if country == "" {
		errs.add(Validation("country", "is required", "missing country: give the ISO 3166-1 alpha-2 code of the number, e.g. US"))
	} else if len(country) != 2 || !isUpperLetters(country) {
		errs.add(Validation("country", "must be a two-letter ISO 3166-1 alpha-2 code such as US",
			"invalid country %q: expected a two-letter ISO 3166-1 alpha-2 code such as US", shortSearchValue(country)))
	}
	return errs.err()
}

func isUpperLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// SetupFeeCharge returns the charge of a purchase of n, and false when its
// setup fee is zero.
func SetupFeeCharge(n Number) (Charge, bool) {
	if n.SetupFee <= 0 {
		return Charge{}, false
	}
	return Charge{AccountID: n.AccountID, E164: n.E164, Kind: ChargeSetupFee, Amount: n.SetupFee, CreatedAt: n.PurchasedAt}, true
}
