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
