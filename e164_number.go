package numberpool

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// ParseE164Number makes the checks of ParseE164 and also returns the parsed
// number. Callers that go on to ask phonenumbers about the number (validity,
// number type) use it to parse the text once, which matters when importing
// millions of numbers: parsing takes about half the time of a row.
func ParseE164Number(field, s string) (*phonenumbers.PhoneNumber, string, error) {
	if !hasE164Syntax(s) {
		return nil, "", invalidE164(field, s)
	}

	parsed, err := phonenumbers.Parse(s, "")
	if err != nil {
		return nil, "", impossibleE164(field, s, "it does not start with a country calling code")
	}
	if problem := lengthProblem(parsed); problem != "" {
		return nil, "", impossibleE164(field, s, problem)
	}

	country := phonenumbers.GetRegionCodeForNumber(parsed)
	if country == "" || country == "ZZ" {
		country = phonenumbers.GetRegionCodeForCountryCode(int(parsed.GetCountryCode()))
	}
	return parsed, country, nil
}

// lengthProblem returns why phonenumbers finds no possible number in parsed,
// or returns "" when the length is possible for its country code.
func lengthProblem(parsed *phonenumbers.PhoneNumber) string {
	code := parsed.GetCountryCode()
	national := phonenumbers.GetNationalSignificantNumber(parsed)
	switch phonenumbers.IsPossibleNumberWithReason(parsed) {
	case phonenumbers.IS_POSSIBLE, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return ""
	case phonenumbers.INVALID_COUNTRY_CODE:
		return fmt.Sprintf("+%d is not a country calling code", code)
	case phonenumbers.TOO_SHORT:
		return fmt.Sprintf("the national number %s is too short for country code +%d", national, code)
	case phonenumbers.TOO_LONG:
		return fmt.Sprintf("the national number %s is too long for country code +%d", national, code)
	}
	return fmt.Sprintf("the national number %s has %d digits, not a possible length for country code +%d",
		national, len(national), code)
}

// ParseNewE164Number is ParseE164Number for a number that enters the pool
// or an account: it also requires the form phonenumbers formats the number
// to. phonenumbers drops a national prefix or carrier code after the
// country code, such as the 1 of +114155550123, so without the check one
// phone line could be stored and sold under two strings. Paths and filters
// keep the lenient check, so that a number stored in such a form before
// can still be read and released.
func ParseNewE164Number(field, s string) (*phonenumbers.PhoneNumber, string, error) {
	parsed, country, err := ParseE164Number(field, s)
	if err != nil {
		return nil, "", err
	}
	if canonical := phonenumbers.Format(parsed, phonenumbers.E164); canonical != s {
		return nil, "", impossibleE164(field, s, "it holds a national prefix or carrier code, which E.164 leaves out: "+canonical)
	}
	return parsed, country, nil
}
