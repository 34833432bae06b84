package numberpool

import (
	"encoding/json"
	"testing"
)

func TestCentsRendersTwoDecimals(t *testing.T) {
	tests := []struct {
		in   Cents
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{125, "1.25"},
		{2500, "25.00"},
		{-2500, "-25.00"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(struct {
			Fee Cents `json:"fee"`
		}{tt.in})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"fee":` + tt.want + `}`; string(got) != want {
			t.Errorf("Marshal(%d) = %s, want %s", int64(tt.in), got, want)
		}
	}
}

func TestParseCents(t *testing.T) {
	good := map[string]Cents{"0": 0, "1.15": 115, "25": 2500, "25.00": 2500, "0.5": 50, "1000000.99": 100000099}
	for in, want := range good {
		got, err := ParseCents(in)
		if err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".5", "1.", "1.234", "-1", "1e3", "abc", "1,50", " 1", "1234567890123"} {
		if _, err := ParseCents(in); err == nil {
			t.Errorf("ParseCents(%q) succeeded, want an error", in)
		}
	}
}
