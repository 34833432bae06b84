package numberpool

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// SearchTotalCap is the largest total a search counts. Counting stops there,
// so a search that matches millions of numbers costs no more than one that
// matches a thousand, and the page then reports the total as capped.
const SearchTotalCap = 1000

// Limits of the digit filters of a search.
const (
	maxAreaCodeDigits = 7
	maxFilterDigits   = maxE164Digits
)

// SearchFilter selects available numbers of the pool. Digit filters match
// the national significant number (the number without its country code),
// unless the value starts with "+": then it includes the country code and
// matches the E.164 form from its start.
type SearchFilter struct {
	Country      string       // ISO 3166-1 alpha-2, upper case; required
	Type         NumberType   // empty for any
	AreaCode     string       // national destination code, digits; a prefix of the national number
	StartsWith   string       // digits, or "+" with the country code and digits
	Contains     string       // digits and "*", each "*" matching one digit; or "+" first
	EndsWith     string       // digits, or "+" with the whole number
	Capabilities []Capability // every one of them is required
	Page         int          // from 1
	PerPage      int          // 1 to 100
}

// SearchPage is one page of a search. Total counts the matches up to
// SearchTotalCap; TotalCapped reports that there are more than Total.
type SearchPage struct {
	Numbers     []Number
	Total       int
	TotalCapped bool
}

// SearchQuery is a validated search reduced to the terms a store matches.
// Patterns use the syntax of SQL LIKE: "_" matches one character and "%" any
// run. Only digits, "+", "_" and "%" ever appear in them, so they need no
// escaping.
type SearchQuery struct {
	Country      string
	Type         NumberType // empty for any
	Capabilities []Capability
	// NSNPrefix is a prefix of the national significant number, empty for
	// none.
	NSNPrefix string
	// NSNPatterns must all match the national significant number.
	NSNPatterns []string
	// E164Patterns must all match the E.164 form.
	E164Patterns []string
	Offset       int
	Limit        int
}

// NSNPrefixEnd returns the smallest string above every string that starts
// with prefix, for a range scan "nsn >= prefix AND nsn < end". It relies on
// the prefix being digits, since ':' follows '9' in ASCII.
func NSNPrefixEnd(prefix string) string {
	return prefix + ":"
}

// Query validates f and returns the query a store runs. Each invalid
// parameter gets its own detail in one VALIDATION_FAILED error.
func (f SearchFilter) Query() (SearchQuery, error) {
	var errs searchErrors
	code, err := validateSearchCountry(f.Country)
	errs.add(err)
	errs.add(validateSearchType(f.Type))
	errs.add(validateSearchCapabilities(f.Capabilities))
	errs.add(validatePaging(f.Page, f.PerPage))
	errs.add(validateDigits("area_code", f.AreaCode, maxAreaCodeDigits, false, false))
	errs.add(validateDigits("starts_with", f.StartsWith, maxFilterDigits, true, false))
	errs.add(validateDigits("contains", f.Contains, maxFilterDigits, true, true))
	errs.add(validateDigits("ends_with", f.EndsWith, maxFilterDigits, true, false))
	if err := errs.err(); err != nil {
		return SearchQuery{}, err
	}

	q := SearchQuery{
		Country:      f.Country,
		Type:         f.Type,
		Capabilities: f.Capabilities,
		Offset:       (f.Page - 1) * f.PerPage,
		Limit:        f.PerPage,
	}
	if err := q.addPrefixes(f, "+"+strconv.Itoa(code)); err != nil {
		return SearchQuery{}, err
	}
	q.addPatterns(f)
	return q, nil
}

// addPrefixes merges area_code and starts_with into one prefix of the
// national number. A starts_with with "+" must begin with the country's code,
// which is then dropped.
func (q *SearchQuery) addPrefixes(f SearchFilter, countryCode string) error {
	startsWith := f.StartsWith
	if strings.HasPrefix(startsWith, "+") {
		if !strings.HasPrefix(startsWith, countryCode) && !strings.HasPrefix(countryCode, startsWith) {
			return Validation("starts_with", "must begin with the country code of country",
				"invalid starts_with %q: numbers of %s begin with %s", startsWith, f.Country, countryCode)
		}
		// A part of the country code alone matches every number of the
		// country.
		startsWith = startsWith[min(len(startsWith), len(countryCode)):]
	}

	switch {
	case strings.HasPrefix(startsWith, f.AreaCode):
		q.NSNPrefix = startsWith
	case strings.HasPrefix(f.AreaCode, startsWith):
		q.NSNPrefix = f.AreaCode
	default:
		return Validation("starts_with", "must begin with area_code",
			"invalid starts_with %q: it does not begin with area_code %q, so nothing could match", f.StartsWith, f.AreaCode)
	}
	return nil
}

// addPatterns turns contains and ends_with into LIKE patterns.
func (q *SearchQuery) addPatterns(f SearchFilter) {
	if f.Contains != "" {
		like := strings.ReplaceAll(f.Contains, "*", "_")
		if strings.HasPrefix(like, "+") {
			// The "+" occurs only at the start, so the pattern is anchored there.
			q.E164Patterns = append(q.E164Patterns, like+"%")
		} else {
			q.NSNPatterns = append(q.NSNPatterns, "%"+like+"%")
		}
	}
	if f.EndsWith != "" {
		if strings.HasPrefix(f.EndsWith, "+") {
			q.E164Patterns = append(q.E164Patterns, f.EndsWith)
		} else {
			q.NSNPatterns = append(q.NSNPatterns, "%"+f.EndsWith)
		}
	}
}

// validateSearchCountry returns the country calling code of country.
func validateSearchCountry(country string) (int, *Error) {
	if country == "" {
		return 0, Validation("country", "is required, a two-letter ISO 3166-1 alpha-2 code such as US",
			"missing country: a search needs the ISO 3166-1 alpha-2 code of one country, e.g. country=US")
	}
	code := 0
	if len(country) == 2 {
		code = phonenumbers.GetCountryCodeForRegion(country)
	}
	if code == 0 {
		return 0, Validation("country", "must be a two-letter ISO 3166-1 alpha-2 code such as US",
			"invalid country %q: expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US", shortSearchValue(country))
	}
	return code, nil
}

func validateSearchType(t NumberType) *Error {
	if t == "" {
		return nil
	}
	_, err := ParseNumberType(string(t))
	if err != nil {
		return err.(*Error)
	}
	return nil
}

func validateSearchCapabilities(cs []Capability) *Error {
	for _, c := range cs {
		if _, err := ParseCapability(string(c)); err != nil {
			return err.(*Error)
		}
	}
	return nil
}

func validatePaging(page, perPage int) *Error {
	switch {
	case page < 1 || page > maxSearchPage:
		return Validation("page", "must be an integer from 1 to "+strconv.Itoa(maxSearchPage),
			"invalid page %d: expected 1 to %d", page, maxSearchPage)
	case perPage < 1 || perPage > 100:
		return Validation("per_page", "must be an integer from 1 to 100",
			"invalid per_page %d: expected 1 to 100", perPage)
	}
	return nil
}

// maxSearchPage keeps (page-1) × per_page within an int32, far from
// overflow. Pages that deep are past the end of any pool anyway.
const maxSearchPage = 1 << 24

// validateDigits checks one digit filter. plus allows a leading "+" that
// brings the country code, and wildcard allows "*" for one digit. Letters are
// rejected rather than mapped to keypad digits, so "FLOWERS" is an error and
// not 3569377.
func validateDigits(field, value string, maxDigits int, plus, wildcard bool) *Error {
	if value == "" {
		return nil
	}
	digits := value
	if plus && strings.HasPrefix(value, "+") {
		digits = value[1:]
	}

	allowed := "digits"
	if wildcard {
		allowed = "digits and * (one any digit)"
	}
	if plus {
		allowed += ", optionally after a + and the country code"
	}
	if digits == "" || len(digits) > maxDigits || !isDigitPattern(digits, wildcard) {
		return Validation(field, "must be "+strconv.Itoa(maxDigits)+" or fewer "+allowed,
			"invalid %s %q: expected up to %d %s; letters are not converted to keypad digits",
			field, shortSearchValue(value), maxDigits, allowed)
	}
	return nil
}

func isDigitPattern(s string, wildcard bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || wildcard && c == '*') {
			return false
		}
	}
	return true
}

func shortSearchValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// searchErrors collects the failures of several parameters into one
// VALIDATION_FAILED error.
type searchErrors []*Error

// add records err when it is not nil.
func (errs *searchErrors) add(err *Error) {
	if err != nil {
		*errs = append(*errs, err)
	}
}

// err merges the collected failures, or returns nil when there are none.
func (errs searchErrors) err() error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	merged := &Error{Code: CodeValidationFailed}
	messages := make([]string, 0, len(errs))
	for _, e := range errs {
		messages = append(messages, e.Message)
		merged.Details = append(merged.Details, e.Details...)
	}
	merged.Message = strings.Join(messages, "; ")
	return merged
}
