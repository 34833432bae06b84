package numberpool

import "github.com/nyaruka/phonenumbers"

// CountryCallingCode returns the country calling code of country, an
// upper-case ISO 3166-1 alpha-2 code, or a VALIDATION_FAILED error for the
// field "country" when phonenumbers has no numbers for it. Every filter on
// a country validates it here, so that they accept the same countries.
func CountryCallingCode(country string) (int, *Error) {
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
