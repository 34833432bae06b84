package numberpool

// e164Reason is the documented reason text for a malformed number.
const e164Reason = "must be E.164 format (e.g., +14155551234)"

// maxE164Digits is the longest number E.164 allows, country code included.
const maxE164Digits = 15

// NonGeographic is the country that ParseE164 returns for a number of a
// global service, such as the international freephone numbers of +800.
const NonGeographic = "001"

// ParseE164 checks that s is a plus sign, a country code and a national
// number of a length that country can dial. It returns the ISO 3166-1
// alpha-2 code of the number's country, or "001" for a non-geographic
// service. field names the input in the error's details.
func ParseE164(field, s string) (country string, err error) {
	_, country, err = ParseE164Number(field, s)
	return country, err
}

// ValidateE164 is ParseE164 without the country, for paths and filters.
func ValidateE164(field, s string) error {
	_, err := ParseE164(field, s)
	return err
}

func hasE164Syntax(s string) bool {
	if len(s) < 3 || len(s) > maxE164Digits+1 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return allDigits(s[1:])
}

// invalidE164 is the error of a value that is not E.164 syntax at all.
func invalidE164(field, s string) *Error {
	return Validation(field, e164Reason,
		"invalid phone number %q: expected E.164 format, a plus sign and up to 15 digits with the country code (e.g., +14155551234)", shownE164(s))
}

// impossibleE164 is the error of a value in E.164 syntax that no number of
// its country code can have; problem gives the reason.
func impossibleE164(field, s, problem string) *Error {
	return Validation(field, e164Reason,
		"invalid phone number %q: %s; expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)",
		shownE164(s), problem)
}

func shownE164(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
