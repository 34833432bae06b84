package numberpool

import (
	"fmt"
	"strconv"
	"strings"
)

// Cents is an amount of money in hundredths of a US dollar. Money is never a
// float inside numberpool: it is parsed from and rendered to two-decimal text.
type Cents int64

// String renders the amount with exactly two decimals, e.g. "25.00".
func (c Cents) String() string {
	sign := ""
	v := int64(c)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON renders the amount as a JSON number with two decimals (25.00),
// as the numbers API does.
func (c Cents) MarshalJSON() ([]byte, error) {
	return []byte(c.String()), nil
}

// ParseCents parses a non-negative decimal amount with at most two decimals,
// such as "1.15", "25" or "0.5".
func ParseCents(s string) (Cents, error) {
	invalid := fmt.Errorf("invalid amount %q: expected a non-negative decimal with at most two decimals, e.g. 1.15", s)

	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, invalid
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, invalid
	}

	units, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, invalid
	}
	for len(frac) < 2 {
		frac += "0"
	}
	hundredths, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, invalid
	}
	return Cents(units*100 + hundredths), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
