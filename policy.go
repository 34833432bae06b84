package numberpool

import (
	"fmt"
	"time"
)

// Policy is the set of release rules that apply to a number.
type Policy struct {
	// EarlyTerminationFee is owed by a release before the minimum term ends.
	EarlyTerminationFee Cents
	// MinimumTermMonths is counted in calendar months from the purchase.
	MinimumTermMonths int
	// CoolingOffDays is how long a released number stays reserved for the
	// account that released it, in days of 24 hours.
	CoolingOffDays int
}

// DefaultPolicy is the policy of every number that no rule matches.
var DefaultPolicy = Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 30}

// Validate checks the ranges of a policy. The upper bounds keep date
// arithmetic far from overflow and catch unit mistakes such as hours for days.
func (p Policy) Validate() error {
	switch {
	case p.EarlyTerminationFee < 0 || p.EarlyTerminationFee > 100_000_000:
		return fmt.Errorf("invalid early termination fee %s: expected 0.00 to 1000000.00", p.EarlyTerminationFee)
	case p.MinimumTermMonths < 0 || p.MinimumTermMonths > 120:
		return fmt.Errorf("invalid minimum term of %d months: expected 0 to 120", p.MinimumTermMonths)
	case p.CoolingOffDays < 0 || p.CoolingOffDays > 3650:
		return fmt.Errorf("invalid cooling-off period of %d days: expected 0 to 3650", p.CoolingOffDays)
	}
	return nil
}

// PolicyRule applies a policy to the numbers of one country, one type, or
// both. An empty Country or Type matches any.
type PolicyRule struct {
	Country string
	Type    NumberType
	Policy  Policy
}

// Policies finds the policy of a number by its country and type.
type Policies struct {
	Default Policy
	Rules   []PolicyRule
}

// For returns the policy of the most specific rule matching country and type:
// country and type, then country alone, then type alone, then the default.
func (ps Policies) For(country string, t NumberType) Policy {
	best, bestScore := ps.Default, 0
	for _, r := range ps.Rules {
		if (r.Country != "" && r.Country != country) || (r.Type != "" && r.Type != t) {
			continue
		}
		score := 1
		if r.Country != "" {
			score += 2
		}
		if r.Type != "" {
			score++
		}
		if score > bestScore {
			best, bestScore = r.Policy, score
		}
	}
	return best
}

// AddMonths adds calendar months to t and clamps the day to the end of the
// target month, so 30 November plus 3 months is the last day of February.
// The time of day is kept.
func AddMonths(t time.Time, months int) time.Time {
	year, month, day := t.Date()
	first := time.Date(year, month+time.Month(months), 1, 0, 0, 0, 0, t.Location())
	lastDay := first.AddDate(0, 1, -1).Day()
	if day > lastDay {
		day = lastDay
	}
	hour, minute, second := t.Clock()
	return time.Date(first.Year(), first.Month(), day, hour, minute, second, t.Nanosecond(), t.Location())
}

// TermEnd returns the instant a number bought at purchasedAt completes the
// minimum term of p. Calendar months are counted in UTC.
func TermEnd(purchasedAt time.Time, p Policy) time.Time {
	return AddMonths(purchasedAt.UTC(), p.MinimumTermMonths)
}

// FeeAt returns the early termination fee owed by a release at releasedAt of
// a number bought at purchasedAt. A release at the exact end of the term owes
// nothing.
func FeeAt(purchasedAt, releasedAt time.Time, p Policy) Cents {
	if releasedAt.Before(TermEnd(purchasedAt, p)) {
		return p.EarlyTerminationFee
	}
	return 0
}

// AvailableAfter returns the end of a cooling-off period of days that starts
// at releasedAt. Each day is 24 hours, including across daylight-saving changes.
func AvailableAfter(releasedAt time.Time, days int) time.Time {
	return releasedAt.Add(time.Duration(days) * 24 * time.Hour)
}
