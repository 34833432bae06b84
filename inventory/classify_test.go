package inventory

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestClassifierMatchesMetadata checks that the cached classification of a
// North American number equals the uncached one, for numbers that share
// their first nanpKeyDigits national digits and differ after them. It tries
// every area code from 200 to 999 and random prefixes, three numbers each.
func TestClassifierMatchesMetadata(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var prefixes []string
	for npa := 200; npa <= 999; npa++ {
		prefixes = append(prefixes, fmt.Sprintf("%d%05d", npa, r.IntN(100_000)))
	}
	for range 2000 {
		prefixes = append(prefixes, fmt.Sprintf("%08d", 20_000_000+r.IntN(80_000_000)))
	}

	var cl classifier
	cached := 0
	for _, prefix := range prefixes {
		for range 3 {
			e164 := fmt.Sprintf("+1%s%02d", prefix, r.IntN(100))
			want, wantErr := classify(e164, true)
			got, gotErr := cl.classify(e164, false)
			if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("classify(%s) = %+v, %v; uncached %+v, %v", e164, got, gotErr, want, wantErr)
			}
		}
		key, _ := nanpKey("+1" + prefix + "00")
		if _, ok := cl.prefixes.Load(key); ok {
			cached++
		}
	}
	if cached == 0 {
		t.Error("no prefix was cached, so the test compared nothing cached")
	}
}

func TestClassifierOtherNumbers(t *testing.T) {
	tests := []struct {
		name string
		e164 string
	}{
		{"UK", "+442071838750"},
		{"short US", "+1415555123"},
		{"invalid US", "+11155551234"},
		{"toll-free", "+18005550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cl classifier
			want, wantErr := classify(tt.e164, true)
			for range 2 {
				got, gotErr := cl.classify(tt.e164, true)
				if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Errorf("classify(%s) = %+v, %v; uncached %+v, %v", tt.e164, got, gotErr, want, wantErr)
				}
			}
		})
	}
}
