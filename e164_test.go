package numberpool

import (
	"strings"
	"testing"
)

func TestParseE164Valid(t *testing.T) {
	tests := map[string]string{
		"+14155551234":  "US",
		"+442071838750": "GB",
		"+919876543210": "IN",
		"+18005550199":  "US",
	}
	for in, want := range tests {
		got, err := ParseE164("e164", in)
		if err != nil {
			t.Errorf("ParseE164(%q) failed: %v", in, err)
			continue
		}
		if got != want {
			t.Errorf("ParseE164(%q) country = %q, want %q", in, got, want)
		}
	}
}

func TestParseE164Invalid(t *testing.T) {
	for _, in := range []string{
		"", "+", "14155551234", "+1415555", "+abc", "+0123456789",
		"+1415555123a", " +14155551234", "+1 415 555 1234",
		"+" + strings.Repeat("1", 40),
	} {
		_, err := ParseE164("e164", in)
		if !IsCode(err, CodeValidationFailed) {
			t.Errorf("ParseE164(%q) = %v, want VALIDATION_FAILED", in, err)
			continue
		}
		e := err.(*Error)
		if len(e.Details) != 1 || e.Details[0].Field != "e164" || e.Details[0].Reason != e164Reason {
			t.Errorf("ParseE164(%q) details = %+v", in, e.Details)
		}
		if !strings.Contains(e.Message, "+14155551234") {
			t.Errorf("ParseE164(%q) message %q does not show the expected form", in, e.Message)
		}
	}
}

func TestNewAPIKeyForm(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		key := NewAPIKey(LiveKeyPrefix)
		secret, ok := strings.CutPrefix(key, LiveKeyPrefix)
		if !ok || len(secret) != 32 {
			t.Fatalf("key %q: want prefix %s and 32 characters", key, LiveKeyPrefix)
		}
		for _, c := range secret {
			if !strings.ContainsRune(base62, c) {
				t.Fatalf("key %q has a non-base62 character %q", key, c)
			}
		}
		if seen[key] {
			t.Fatalf("key %q generated twice", key)
		}
		seen[key] = true
	}
}

// TestParseE164Messages checks that the message distinguishes a length that
// the country code does not allow from a value that is not E.164 syntax.
func TestParseE164Messages(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"+1415555123", `invalid phone number "+1415555123": the national number 415555123 is too short for country code +1; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{"+141555512345", `invalid phone number "+141555512345": the national number 41555512345 is too long for country code +1; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{"+999123456", `invalid phone number "+999123456": it does not start with a country calling code; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{"14155551234", `invalid phone number "14155551234": expected E.164 format, a plus sign and up to 15 digits with the country code (e.g., +14155551234)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseE164("e164", tt.in)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("ParseE164(%q) = %v, want an *Error", tt.in, err)
			}
			if e.Message != tt.want {
				t.Errorf("message = %q, want %q", e.Message, tt.want)
			}
			if len(e.Details) != 1 || e.Details[0].Reason != e164Reason {
				t.Errorf("details = %+v, want the documented reason", e.Details)
			}
		})
	}
}

// TestParseNewE164NationalPrefix checks that a number entering the pool
// must be in the form phonenumbers formats it to, while the lenient check
// of paths still accepts such a number stored before.
func TestParseNewE164NationalPrefix(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"+114155550123", `invalid phone number "+114155550123": it holds a national prefix or carrier code, which E.164 leaves out: +14155550123; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{"+4402079460001", `invalid phone number "+4402079460001": it holds a national prefix or carrier code, which E.164 leaves out: +442079460001; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, _, err := ParseNewE164Number("e164", tt.in)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("ParseNewE164Number(%q) = %v, want an *Error", tt.in, err)
			}
			if e.Message != tt.want {
				t.Errorf("message = %q, want %q", e.Message, tt.want)
			}
			if err := ValidateE164("e164", tt.in); err != nil {
				t.Errorf("ValidateE164(%q) = %v, want nil", tt.in, err)
			}
		})
	}

	if _, _, err := ParseNewE164Number("e164", "+14155550123"); err != nil {
		t.Errorf("ParseNewE164Number(+14155550123) = %v, want nil", err)
	}
}
