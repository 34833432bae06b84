package numberpool

import (
	"strconv"
	"strings"
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
// SearchTotalCap, or further when the page proves more (see PageTotal).
// TotalCapped reports that counting stopped early, so more numbers than
// Total may match: at the cap, or, for a contains filter, after a fixed
// number of candidates.
type SearchPage struct {
	Numbers     []Number
	Total       int
	TotalCapped bool
}

// PageTotal returns the total and capped flag of a page of q with onPage
// numbers, given the count of its matches up to SearchTotalCap. stopped
// reports that the count stopped before it read every candidate, so the
// count is only a lower bound. A page proves its matches: a page with
// numbers proves at least q.Offset plus them, and a page shorter than
// q.Limit is the last one, which proves the exact total. The total is thus
// never below what the pages up to this one have shown.
func PageTotal(q SearchQuery, counted int, stopped bool, onPage int) (total int, capped bool) {
	total, capped = min(counted, SearchTotalCap), counted > SearchTotalCap || stopped

	switch {
	case PageProvesTotal(q, onPage):
		return q.Offset + onPage, false
	case onPage > 0:
		return max(total, q.Offset+onPage), capped
	default:
		return total, capped
	}
}

// PageProvesTotal reports whether a page of q with onPage numbers is the
// last one and so gives the exact total, q.Offset plus onPage, without a
// count: it is shorter than q.Limit, and has numbers or is the first page.
func PageProvesTotal(q SearchQuery, onPage int) bool {
	return onPage < q.Limit && (onPage > 0 || q.Offset == 0)
}

// PageTotalUnproven reports whether neither the count nor the page proves
// the total of a page of q: the page is empty and past the first, and the
// count stopped early or at the cap. The matches before q.Offset, which a
// store can count, are then the exact total.
func PageTotalUnproven(q SearchQuery, counted int, stopped bool, onPage int) bool {
	return onPage == 0 && q.Offset > 0 && (stopped || counted > SearchTotalCap)
}

// SearchQuery is a validated search reduced to the terms a store matches.
// Patterns use the syntax of SQL LIKE: "_" matches one character and "%" any
// run. Only digits, "_" and "%" ever appear in them, so they need no
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
	// Gram is four consecutive digits that every match contains, taken from
	// the contains filter, for stores that index the digit 4-grams of
	// numbers. It is empty when contains has no run of four digits.
	Gram   string
	Offset int
	Limit  int
}

// GramLength is the length of the digit n-grams that Gram holds.
const GramLength = 4

// NSNPrefixEnd returns the smallest string above every string that starts
// with prefix, for a range scan "nsn >= prefix AND nsn < end". It relies on
// the prefix being digits, since ':' follows '9' in ASCII.
func NSNPrefixEnd(prefix string) string {
	return prefix + ":"
}

// Query validates f and returns the query a store runs. Each invalid
// parameter gets its own detail in one VALIDATION_FAILED error.
func (f SearchFilter) Query() (SearchQuery, error) {
	q, problems := f.QueryProblems()
	if err := searchErrors(problems).err(); err != nil {
		return SearchQuery{}, err
	}
	return q, nil
}

// QueryProblems validates f as Query does, but returns the error of each
// invalid parameter apart, for callers that merge them with their own.
func (f SearchFilter) QueryProblems() (SearchQuery, []*Error) {
	var errs searchErrors
	code, countryErr := validateSearchCountry(f.Country)
	errs.add(countryErr)
	errs.add(validateSearchType(f.Type))
	errs.add(validateSearchCapabilities(f.Capabilities))
	errs.add(validatePaging(f.Page, f.PerPage))

	// A malformed digit filter is left out of the checks that combine the
	// filters, which would only report it again.
	digits := f
	for _, check := range []struct {
		err   *Error
		value *string
	}{
		{validateAreaCode(f.AreaCode, code), &digits.AreaCode},
		{validateDigits("starts_with", f.StartsWith, maxFilterDigits, true, false), &digits.StartsWith},
		{validateDigits("contains", f.Contains, maxFilterDigits, true, true), &digits.Contains},
		{validateDigits("ends_with", f.EndsWith, maxFilterDigits, true, false), &digits.EndsWith},
	} {
		if check.err != nil {
			errs.add(check.err)
			*check.value = ""
		}
	}

	q := SearchQuery{
		Country:      f.Country,
		Type:         f.Type,
		Capabilities: f.Capabilities,
		Offset:       (f.Page - 1) * f.PerPage,
		Limit:        f.PerPage,
	}
	if countryErr == nil {
		q.addFilters(digits, "+"+strconv.Itoa(code), &errs)
	}
	if len(errs) > 0 {
		return SearchQuery{}, errs
	}
	return q, nil
}

// addFilters turns the digit filters into a prefix and patterns of the
// national number. A value with "+" must begin with the country's code,
// which is then dropped, and is anchored at the start of the number. For
// ends_with it is thus the whole number and needs a national number.
func (q *SearchQuery) addFilters(f SearchFilter, countryCode string, errs *searchErrors) {
	// raw is the value as given, for messages: value lacks the country
	// code of a value with "+".
	type digitPrefix struct{ field, value, raw string }
	prefixes := []digitPrefix{{"area_code", f.AreaCode, f.AreaCode}}

	if startsWith, err := withoutCountryCode("starts_with", f.StartsWith, f.Country, countryCode); err != nil {
		errs.add(err)
	} else {
		prefixes = append(prefixes, digitPrefix{"starts_with", startsWith, f.StartsWith})
	}

	if f.Contains != "" {
		rest, err := withoutCountryCode("contains", f.Contains, f.Country, countryCode)
		switch {
		case err != nil:
			errs.add(err)
		case strings.HasPrefix(f.Contains, "+"):
			literal, _, _ := strings.Cut(rest, "*")
			prefixes = append(prefixes, digitPrefix{"contains", literal, f.Contains})
			q.addPattern(strings.ReplaceAll(rest, "*", "_") + "%")
		default:
			q.addPattern("%" + strings.ReplaceAll(rest, "*", "_") + "%")
			q.Gram = firstGram(rest)
		}
	}

	if f.EndsWith != "" {
		rest, err := withoutCountryCode("ends_with", f.EndsWith, f.Country, countryCode)
		switch {
		case err != nil:
			errs.add(err)
		case !strings.HasPrefix(f.EndsWith, "+"):
			q.addPattern("%" + rest)
		case rest == "":
			// Anchored at both ends, a value with "+" is the whole number, so
			// the country code alone would match every number of the country
			// by an empty prefix and pattern.
			errs.add(Validation("ends_with", "must have digits after the country code",
				"invalid ends_with %q: a value with + is the whole number, %s and the national number; give the digits without + to match the end of the number",
				shortSearchValue(f.EndsWith), countryCode))
		default:
			prefixes = append(prefixes, digitPrefix{"ends_with", rest, f.EndsWith})
			q.addPattern(rest)
		}
	}

	for _, p := range prefixes {
		merged, ok := mergePrefixes(q.NSNPrefix, p.value)
		if !ok {
			errs.add(Validation(p.field, "must agree with the other digit filters",
				"invalid %s %q: it cannot match a number whose national number starts with %q, as the other digit filters require, so nothing could match",
				p.field, shortSearchValue(p.raw), q.NSNPrefix))
			continue
		}
		q.NSNPrefix = merged
	}
}

// addPattern adds a LIKE pattern unless it matches every number.
func (q *SearchQuery) addPattern(like string) {
	if strings.Trim(like, "%") != "" {
		q.NSNPatterns = append(q.NSNPatterns, like)
	}
}

// withoutCountryCode returns value without its leading "+" and country code,
// or value as it is when it has no "+". A value that is only a part of the
// country code matches every number of the country and becomes empty.
func withoutCountryCode(field, value, country, countryCode string) (string, *Error) {
	if !strings.HasPrefix(value, "+") {
		return value, nil
	}
	if strings.HasPrefix(countryCode, value) {
		return "", nil
	}
	if !strings.HasPrefix(value, countryCode) {
		return "", Validation(field, "must begin with the country code of country",
			"invalid %s %q: numbers of %s begin with %s", field, shortSearchValue(value), country, countryCode)
	}
	return value[len(countryCode):], nil
}

// mergePrefixes returns the longer of two prefixes when one starts with the
// other, and false when no number can start with both.
func mergePrefixes(a, b string) (string, bool) {
	switch {
	case strings.HasPrefix(a, b):
		return a, true
	case strings.HasPrefix(b, a):
		return b, true
	}
	return "", false
}

// firstGram returns the first GramLength consecutive digits of pattern, or
// "" when wildcards break every run.
func firstGram(pattern string) string {
	run := 0
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' {
			run = 0
			continue
		}
		run++
		if run == GramLength {
			return pattern[i-GramLength+1 : i+1]
		}
	}
	return ""
}

// validateSearchCountry returns the country calling code of country.
func validateSearchCountry(country string) (int, *Error) {
	if country == "" {
		return 0, Validation("country", "is required, a two-letter ISO 3166-1 alpha-2 code such as US",
			"missing country: a search needs the ISO 3166-1 alpha-2 code of one country, e.g. country=US")
	}
	return CountryCallingCode(country)
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
// nanpAreaCodeDigits is the length of an area code in the North American
// Numbering Plan, which country calling code 1 covers.
const nanpAreaCodeDigits = 3

// validateAreaCode checks area_code for a country of calling code
// callingCode (0 when the country is invalid). Elsewhere national
// destination codes vary in length, so only their digits are checked.
func validateAreaCode(value string, callingCode int) *Error {
	if err := validateDigits("area_code", value, maxAreaCodeDigits, false, false); err != nil {
		return err
	}
	if value != "" && callingCode == 1 && len(value) != nanpAreaCodeDigits {
		return Validation("area_code", "must be 3 digits in the North American Numbering Plan",
			"invalid area_code %q: expected the 3 digits of a North American area code, e.g. 415; use starts_with for a longer prefix",
			value)
	}
	return nil
}

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
		hint := "letters are not converted to keypad digits"
		if plus && strings.HasPrefix(value, " ") {
			// A query string reads an unencoded + as a space.
			hint = "write a + in a query string as %2B"
		}
		return Validation(field, "must be "+strconv.Itoa(maxDigits)+" or fewer "+allowed,
			"invalid %s %q: expected up to %d %s; %s",
			field, shortSearchValue(value), maxDigits, allowed, hint)
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
