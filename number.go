package numberpool

import (
	"fmt"
	"time"
)

// Status is the lifecycle state of a number as stored. The state a client sees
// also depends on the time: see Number.StatusAt.
type Status string

// The lifecycle states. A number moves available -> active on purchase,
// active -> released on release, released -> active on cancel-release, and
// released -> available once its cooling-off period has ended.
const (
	StatusAvailable Status = "available"
	StatusActive    Status = "active"
	StatusReleased  Status = "released"
)

// ParseStatus validates a status filter value.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusAvailable, StatusActive, StatusReleased:
		return Status(s), nil
	}
	return "", Validation("status", "must be one of active, released, available",
		"invalid status %q: expected active, released or available", s)
}

// NumberType is the kind of number, as the numbers API names it.
type NumberType string

// The number types of the numbers API.
const (
	TypeLocal    NumberType = "local"
	TypeMobile   NumberType = "mobile"
	TypeTollFree NumberType = "toll_free"
)

// ParseNumberType validates a number type.
func ParseNumberType(s string) (NumberType, error) {
	switch NumberType(s) {
	case TypeLocal, TypeMobile, TypeTollFree:
		return NumberType(s), nil
	}
	return "", Validation("type", "must be one of local, mobile, toll_free",
		"invalid number type %q: expected local, mobile or toll_free", s)
}

// Capability is a service a number supports.
type Capability string

// The capabilities of the numbers API.
const (
	CapabilityVoice Capability = "voice"
	CapabilitySMS   Capability = "sms"
	CapabilityMMS   Capability = "mms"
)

// ParseCapability validates one capability name.
func ParseCapability(s string) (Capability, error) {
	switch Capability(s) {
	case CapabilityVoice, CapabilitySMS, CapabilityMMS:
		return Capability(s), nil
	}
	return "", Validation("capabilities", "must be any of voice, sms, mms",
		"invalid capability %q: expected voice, sms or mms", s)
}

// Number is one phone number of the pool with its current owner and routing.
// Times are UTC with whole seconds; a zero time means "not set".
type Number struct {
	E164         string
	Country      string // ISO 3166-1 alpha-2, e.g. "US"
	Type         NumberType
	Region       string // e.g. "CA" for a California area code, empty when unknown
	Capabilities []Capability
	MonthlyFee   Cents
	SetupFee     Cents

	Status        Status
	AccountID     string // owner; empty while available
	TrunkID       string
	ApplicationID string

	PurchasedAt time.Time // start of the current ownership and of the ETF term
	UpdatedAt   time.Time

	// ReleasedAt and AvailableAfter are set while Status is StatusReleased.
	ReleasedAt     time.Time
	AvailableAfter time.Time
}

// StatusAt returns the state of the number at now. A released number whose
// cooling-off period has ended is available, whether or not a sweeper has
// rewritten its row yet.
func (n Number) StatusAt(now time.Time) Status {
	if n.Status == StatusReleased && CoolingOffEnded(n.AvailableAfter, now) {
		return StatusAvailable
	}
	return n.Status
}

// OwnedBy reports whether accountID holds the number at now, either active or
// in a release that can still be cancelled.
func (n Number) OwnedBy(accountID string, now time.Time) bool {
	if n.AccountID == "" || n.AccountID != accountID {
		return false
	}
	status := n.StatusAt(now)
	return status == StatusActive || status == StatusReleased
}

// CoolingOffEnded reports whether a release with the given available_after is
// final at now. The boundary instant belongs to the pool.
func CoolingOffEnded(availableAfter, now time.Time) bool {
	return !now.Before(availableAfter)
}

// Account is a customer of the pool.
type Account struct {
	ID        string
	CreatedAt time.Time
}

// ValidateAccountID checks the form of an account id: "acc_" followed by 1 to
// 60 letters, digits or underscores.
func ValidateAccountID(id string) error {
	const prefix = "acc_"
	rest, ok := cutPrefix(id, prefix)
	if !ok || len(rest) == 0 || len(rest) > 60 || !isWordString(rest) {
		return Validation("account_id", "must be acc_ followed by letters, digits or underscores",
			"invalid account id %q: expected acc_ followed by 1 to 60 letters, digits or underscores, e.g. acc_123abc", id)
	}
	return nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return s, false
	}
	return s[len(prefix):], true
}

func isWordString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// FormatTime renders a timestamp as the API does: UTC, RFC 3339, whole
// seconds, with a Z.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// String returns the E.164 form, for logs.
func (n Number) String() string {
	return fmt.Sprintf("%s (%s)", n.E164, n.Status)
}
