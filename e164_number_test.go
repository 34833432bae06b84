package numberpool

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestParseE164NumberMatchesParseE164(t *testing.T) {
	for _, in := range []string{
		"+14155551234", "+442071838750", "+919876543210", "+18005550199",
		"+80012345678", "+390612345678",
		"", "+", "14155551234", "+1415555", "+abc", "+0123456789", "+1 415 555 1234",
	} {
		wantCountry, wantErr := ParseE164("e164", in)
		parsed, country, err := ParseE164Number("e164", in)

		if (err == nil) != (wantErr == nil) {
			t.Errorf("ParseE164Number(%q) error = %v, ParseE164 error = %v", in, err, wantErr)
			continue
		}
		if err != nil {
			if err.Error() != wantErr.Error() {
				t.Errorf("ParseE164Number(%q) error = %q, want %q", in, err, wantErr)
			}
			continue
		}
		if country != wantCountry {
			t.Errorf("ParseE164Number(%q) country = %q, want %q", in, country, wantCountry)
		}
		if got := phonenumbers.Format(parsed, phonenumbers.E164); got != in {
			t.Errorf("ParseE164Number(%q) parsed back to %q", in, got)
		}
	}
}
