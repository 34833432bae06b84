package inventory

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestRegionOf(t *testing.T) {
	tests := []struct {
		e164, country, want string
	}{
		{"+14155551234", "US", "CA"}, // "San Francisco, CA"
		{"+15125006000", "US", "TX"}, // "Texas"
		{"+14168001234", "CA", "ON"}, // "Ontario"
		{"+18005551234", "US", ""},   // toll-free: only the country
		{"+442079460123", "GB", "London"},
		{"+61298765432", "AU", "Sydney"},
	}
	for _, tt := range tests {
		t.Run(tt.e164, func(t *testing.T) {
			parsed, err := phonenumbers.Parse(tt.e164, "")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := regionOf(parsed, tt.country); got != tt.want {
				t.Errorf("regionOf(%s) = %q, want %q", tt.e164, got, tt.want)
			}
		})
	}
}

func TestReadFillsRegion(t *testing.T) {
	got := mustRead(t, "e164,region\n+14155551234,\n+14155551235,Bay Area\n+442071838750,\n", testOptions())

	want := []string{"CA", "Bay Area", "London"}
	if len(got) != len(want) {
		t.Fatalf("read %d numbers, want %d", len(got), len(want))
	}
	for i, n := range got {
		if n.Region != want[i] {
			t.Errorf("region of %s = %q, want %q", n.E164, n.Region, want[i])
		}
	}
}
