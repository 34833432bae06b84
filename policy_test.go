package numberpool

import (
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	tests := []struct {
		start  string
		months int
		want   string
	}{
		{"2026-11-30T10:00:00Z", 3, "2027-02-28T10:00:00Z"},
		{"2027-11-30T10:00:00Z", 3, "2028-02-29T10:00:00Z"}, // leap year
		{"2026-01-31T00:00:00Z", 1, "2026-02-28T00:00:00Z"},
		{"2026-01-31T23:59:59Z", 3, "2026-04-30T23:59:59Z"},
		{"2026-03-15T08:20:00Z", 3, "2026-06-15T08:20:00Z"},
		{"2026-10-31T12:00:00Z", 14, "2027-12-31T12:00:00Z"},
		{"2026-05-31T12:00:00Z", 0, "2026-05-31T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.start, func(t *testing.T) {
			got := AddMonths(mustTime(t, tt.start), tt.months)
			if want := mustTime(t, tt.want); !got.Equal(want) {
				t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.start, tt.months, got, want)
			}
		})
	}
}

func TestFeeAtTermBoundary(t *testing.T) {
	bought := mustTime(t, "2026-11-30T10:00:00Z")
	tests := []struct {
		releasedAt string
		want       Cents
	}{
		{"2026-11-30T10:00:00Z", 2500},
		{"2027-02-28T09:59:59Z", 2500},
		{"2027-02-28T10:00:00Z", 0},
		{"2027-03-01T00:00:00Z", 0},
	}
	for _, tt := range tests {
		t.Run(tt.releasedAt, func(t *testing.T) {
			got := FeeAt(bought, mustTime(t, tt.releasedAt), DefaultPolicy)
			if got != tt.want {
				t.Errorf("fee = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAvailableAfterCountsWholeDays(t *testing.T) {
	released := mustTime(t, "2026-04-09T11:45:00Z")
	got := AvailableAfter(released, 30)
	if want := mustTime(t, "2026-05-09T11:45:00Z"); !got.Equal(want) {
		t.Errorf("AvailableAfter = %s, want %s", got, want)
	}
}

func TestPoliciesForMostSpecificRule(t *testing.T) {
	us := Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 45}
	usTollFree := Policy{EarlyTerminationFee: 0, MinimumTermMonths: 0, CoolingOffDays: 120}
	anyMobile := Policy{EarlyTerminationFee: 1000, MinimumTermMonths: 1, CoolingOffDays: 10}
	ps := Policies{
		Default: DefaultPolicy,
		Rules: []PolicyRule{
			{Type: TypeMobile, Policy: anyMobile},
			{Country: "US", Type: TypeTollFree, Policy: usTollFree},
			{Country: "US", Policy: us},
		},
	}
	tests := []struct {
		name    string
		country string
		typ     NumberType
		want    Policy
	}{
		{"country and type", "US", TypeTollFree, usTollFree},
		{"country beats type", "US", TypeMobile, us},
		{"country only", "US", TypeLocal, us},
		{"type only", "GB", TypeMobile, anyMobile},
		{"default", "GB", TypeLocal, DefaultPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ps.For(tt.country, tt.typ); got != tt.want {
				t.Errorf("For(%s, %s) = %+v, want %+v", tt.country, tt.typ, got, tt.want)
			}
		})
	}
}

func TestPolicyValidateRejectsOutOfRange(t *testing.T) {
	bad := []Policy{
		{EarlyTerminationFee: -1, MinimumTermMonths: 3, CoolingOffDays: 30},
		{EarlyTerminationFee: 2500, MinimumTermMonths: -1, CoolingOffDays: 30},
		{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 3651},
	}
	for _, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
	if err := DefaultPolicy.Validate(); err != nil {
		t.Errorf("Validate(DefaultPolicy) = %v", err)
	}
}
