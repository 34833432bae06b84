package api

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"numberpool"
)

// Paging limits of the lists, as the numbers API documents them.
const (
	defaultPerPage = 20
	maxPerPage     = 100
)

// maxPage keeps the store's offset, (page-1) × per_page, far from int64
// overflow.
const maxPage = math.MaxInt32

// maxShownValue bounds how much of a rejected value a message repeats.
const maxShownValue = 40

// listNumbersQuery is the validated query of GET .../numbers.
type listNumbersQuery struct {
	Country string            // upper case, empty for any
	Status  numberpool.Status // active or released, empty for both
	Page    int
	PerPage int
}

// parseListNumbersQuery decodes and validates the list's query parameters.
// It reports every invalid parameter at once, one detail each. Unknown
// parameters are ignored, because clients of the public API may send
// parameters that numberpool does not define.
func parseListNumbersQuery(rawQuery string) (listNumbersQuery, error) {
	q := listNumbersQuery{Page: 1, PerPage: defaultPerPage}
	p := newQueryParser(rawQuery)

	p.parse("country", func(raw string) *numberpool.Error {
		q.Country = upperASCII(raw)
		return checkCountry(raw)
	})
	p.parse("status", func(raw string) (err *numberpool.Error) {
		q.Status, err = parseListStatus(raw)
		return err
	})
	p.parse("page", func(raw string) (err *numberpool.Error) {
		q.Page, err = parseIntInRange("page", raw, 1, maxPage)
		return err
	})
	p.parse("per_page", func(raw string) (err *numberpool.Error) {
		q.PerPage, err = parseIntInRange("per_page", raw, 1, maxPerPage)
		return err
	})

	if err := p.err(); err != nil {
		return listNumbersQuery{}, err
	}
	return q, nil
}

// queryParser collects the validation errors of several query parameters.
type queryParser struct {
	values url.Values
	failed map[string]bool // parameters with an error already
	// semicolons maps a parameter name that follows a semicolon in a pair to
	// its error, reported only when the endpoint reads that parameter.
	semicolons map[string]*numberpool.Error
	errs       []*numberpool.Error
}

// newQueryParser decodes a raw query string. url.ParseQuery, and so
// URL.Query, skips a pair with a bad percent escape or a semicolon, which
// would silently drop a filter. Here such a pair keeps its value as written,
// which the parameter's own check then rejects, since no valid value contains
// a percent sign or a semicolon. Unknown parameters stay ignored, however
// they are written.
func newQueryParser(rawQuery string) *queryParser {
	p := &queryParser{values: url.Values{}, failed: map[string]bool{}, semicolons: map[string]*numberpool.Error{}}
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" {
			continue
		}

		first, rest, hasSemicolon := strings.Cut(pair, ";")
		rawName, rawValue, _ := strings.Cut(first, "=")
		if hasSemicolon {
			// The value runs to the end of the pair, so that it contains
			// the semicolon its check rejects, even in status;x=released.
			p.addSemicolonNames(pair, rest)
			rawValue += ";" + rest
		}

		name, nameErr := url.QueryUnescape(rawName)
		if nameErr != nil {
			name = rawName
		}
		value, valueErr := url.QueryUnescape(rawValue)
		if valueErr != nil || hasSemicolon {
			value = rawValue
		}
		p.values[name] = append(p.values[name], value)
	}
	return p
}

// addSemicolonNames records an error for each parameter that a part of pair
// after a semicolon names, such as page in x=1;page=2: Go before 1.17 split
// a query at semicolons too, so the client may have meant it.
func (p *queryParser) addSemicolonNames(pair, rest string) {
	for part := range strings.SplitSeq(rest, ";") {
		rawName, _, hasValue := strings.Cut(part, "=")
		if !hasValue {
			continue
		}
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			name = rawName
		}
		if _, ok := p.semicolons[name]; !ok {
			p.semicolons[name] = numberpool.Validation(shorten(name), "must not follow a semicolon",
				"invalid %s: %q contains a semicolon; separate parameters with & and write a semicolon in a value as %%3B",
				shorten(name), shorten(pair))
		}
	}
}

// parse passes the value of the parameter name, when present, to fn. A
// parameter given more than once is an error, since only one value can
// apply, and so is one named after a semicolon.
func (p *queryParser) parse(name string, fn func(raw string) *numberpool.Error) {
	if err, ok := p.semicolons[name]; ok {
		p.fail(name, err)
		return
	}
	raws, ok := p.values[name]
	if !ok {
		return
	}
	if len(raws) > 1 {
		p.fail(name, numberpool.Validation(name, "must be given once",
			"invalid %s: given %d times, expected once", name, len(raws)))
		return
	}
	if err := fn(raws[0]); err != nil {
		p.fail(name, err)
	}
}

// fail records err, the error of the parameter name.
func (p *queryParser) fail(name string, err *numberpool.Error) {
	p.failed[name] = true
	p.errs = append(p.errs, err)
}

// addUnlessFailed records the errors of later checks, such as those of a
// search filter, except those about a parameter that failed already. Such a
// parameter stays empty, and a later check would report it again as missing.
func (p *queryParser) addUnlessFailed(errs []*numberpool.Error) {
	for _, err := range errs {
		if !slices.ContainsFunc(err.Details, func(d numberpool.ErrorDetail) bool { return p.failed[d.Field] }) {
			p.errs = append(p.errs, err)
		}
	}
}

// err merges the collected errors into one VALIDATION_FAILED error, or
// returns nil.
func (p *queryParser) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	}

	messages := make([]string, 0, len(p.errs))
	merged := &numberpool.Error{Code: numberpool.CodeValidationFailed}
	for _, e := range p.errs {
		messages = append(messages, e.Message)
		merged.Details = append(merged.Details, e.Details...)
	}
	merged.Message = strings.Join(messages, "; ")
	return merged
}

// checkCountry accepts the countries that a search accepts, in either case.
func checkCountry(raw string) *numberpool.Error {
	_, err := numberpool.CountryCallingCode(upperASCII(raw))
	return err
}

// upperASCII returns s with its ASCII letters in upper case and every other
// byte as it is. strings.ToUpper would also map letters such as ſ (long s)
// to S, and so accept "uſ" as the country US.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// parseListStatus accepts the statuses a list can filter on, as the number
// object shows them. An account holds no available numbers, so "available"
// is rejected.
func parseListStatus(raw string) (numberpool.Status, *numberpool.Error) {
	switch status := numberpool.Status(raw); status {
	case numberpool.StatusActive, numberpool.StatusSuspended, numberpool.StatusReleased:
		return status, nil
	}
	return "", numberpool.Validation("status", "must be active, suspended or released",
		"invalid status %q: expected active, suspended or released", shorten(raw))
}

// parseIntInRange parses a decimal integer from lo to hi. It rejects a
// sign, which strconv.Atoi alone would accept.
func parseIntInRange(name, raw string, lo, hi int) (int, *numberpool.Error) {
	n, err := strconv.Atoi(raw)
	if err == nil && strings.Trim(raw, "0123456789") == "" && n >= lo && n <= hi {
		return n, nil
	}
	reason := "must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
	return 0, numberpool.Validation(name, reason,
		"invalid %s %q: expected an integer from %d to %d", name, shorten(raw), lo, hi)
}

// shorten cuts a client's value for an error message.
func shorten(s string) string {
	if len(s) <= maxShownValue {
		return s
	}
	return s[:maxShownValue] + "..."
}
