package numberpool

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func activeNumber(t *testing.T, purchasedAt string) Number {
	t.Helper()
	return Number{
		E164:        "+14155551234",
		Country:     "US",
		Type:        TypeLocal,
		Status:      StatusActive,
		AccountID:   "acc_123abc",
		PurchasedAt: mustTime(t, purchasedAt),
	}
}

func TestPreviewReleaseFee(t *testing.T) {
	now := mustTime(t, "2026-04-09T11:45:00Z")
	tests := []struct {
		name      string
		purchased string
		want      Preview
	}{
		{"six weeks old", "2026-02-26T11:45:00Z", Preview{
			E164: "+14155551234", CanRelease: true, EarlyTerminationFee: 2500, CoolingOffDays: 30,
			Warnings: []string{"This number was purchased less than 3 months ago and has a $25.00 early termination fee"},
		}},
		{"a year old", "2025-04-09T11:45:00Z", Preview{
			E164: "+14155551234", CanRelease: true, CoolingOffDays: 30, Warnings: []string{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PreviewRelease(activeNumber(t, tt.purchased), DefaultPolicy, nil, now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PreviewRelease mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreviewReleaseBlockers(t *testing.T) {
	now := mustTime(t, "2026-04-09T11:45:00Z")
	blockers := []Blocker{
		{Kind: BlockerActiveCalls, Message: "2 active calls in progress"},
		{Kind: BlockerPortOutHold, Message: "a port-out request is in progress"},
	}
	got := PreviewRelease(activeNumber(t, "2025-01-01T00:00:00Z"), DefaultPolicy, blockers, now)
	want := Preview{
		E164: "+14155551234", CanRelease: false, CoolingOffDays: 30,
		Warnings: []string{"2 active calls in progress", "a port-out request is in progress"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PreviewRelease mismatch (-want +got):\n%s", diff)
	}
}

func TestPreviewReleaseOfReleasedNumber(t *testing.T) {
	n := activeNumber(t, "2025-01-01T00:00:00Z")
	n.Status = StatusReleased
	n.ReleasedAt = mustTime(t, "2026-04-09T11:45:00Z")
	n.AvailableAfter = mustTime(t, "2026-05-09T11:45:00Z")

	got := PreviewRelease(n, DefaultPolicy, nil, mustTime(t, "2026-04-10T00:00:00Z"))
	want := Preview{
		E164: "+14155551234", CanRelease: false, CoolingOffDays: 30,
		Warnings: []string{"This number was released at 2026-04-09T11:45:00Z. The release can be cancelled until 2026-05-09T11:45:00Z."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PreviewRelease mismatch (-want +got):\n%s", diff)
	}
}

func TestPlanReleaseStoresPolicyInForce(t *testing.T) {
	now := mustTime(t, "2026-04-09T11:45:00Z")
	p := Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 45}

	got, err := PlanRelease(activeNumber(t, "2026-03-01T00:00:00Z"), p, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Release{
		E164: "+14155551234", ReleasedAt: now, EarlyTerminationFee: 2500,
		CoolingOffDays: 45, AvailableAfter: now.Add(45 * 24 * time.Hour),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanRelease mismatch (-want +got):\n%s", diff)
	}
}

func TestPlanReleaseErrors(t *testing.T) {
	now := mustTime(t, "2026-04-09T11:45:00Z")
	released := activeNumber(t, "2025-01-01T00:00:00Z")
	released.Status = StatusReleased
	released.ReleasedAt = now.Add(-time.Hour)
	released.AvailableAfter = now.Add(time.Hour)
	blocked := []Blocker{
		{Kind: BlockerActiveCalls, Message: "1 active call in progress"},
		{Kind: BlockerLegalHold, Message: "a legal hold is in place"},
	}

	_, err := PlanRelease(released, DefaultPolicy, nil, now)
	if !IsCode(err, CodeConflict) {
		t.Errorf("release of a released number = %v, want CONFLICT", err)
	}

	_, err = PlanRelease(activeNumber(t, "2025-01-01T00:00:00Z"), DefaultPolicy, blocked, now)
	if !IsCode(err, CodeReleaseBlocked) {
		t.Fatalf("release with blockers = %v, want RELEASE_BLOCKED", err)
	}
	wantDetails := []ErrorDetail{
		{Field: "active_calls", Reason: "1 active call in progress"},
		{Field: "legal_hold", Reason: "a legal hold is in place"},
	}
	if diff := cmp.Diff(wantDetails, err.(*Error).Details); diff != "" {
		t.Errorf("blocker details mismatch (-want +got):\n%s", diff)
	}
}

func TestPlanCancelByTime(t *testing.T) {
	n := activeNumber(t, "2025-01-01T00:00:00Z")
	if err := PlanCancel(n, mustTime(t, "2026-04-09T11:45:00Z")); !IsCode(err, CodeConflict) {
		t.Errorf("cancel of an active number = %v, want CONFLICT", err)
	}

	n.Status = StatusReleased
	n.ReleasedAt = mustTime(t, "2026-04-09T11:45:00Z")
	n.AvailableAfter = mustTime(t, "2026-05-09T11:45:00Z")
	if err := PlanCancel(n, mustTime(t, "2026-05-09T11:44:59Z")); err != nil {
		t.Errorf("cancel one second before the end = %v, want nil", err)
	}
	if err := PlanCancel(n, mustTime(t, "2026-05-09T11:45:00Z")); !IsCode(err, CodeNotFound) {
		t.Errorf("cancel at available_after = %v, want NOT_FOUND", err)
	}
	if n.OwnedBy("acc_123abc", mustTime(t, "2026-05-09T11:45:00Z")) {
		t.Error("the account still owns the number after its cooling-off period ended")
	}
	if got := n.StatusAt(mustTime(t, "2026-05-09T11:45:00Z")); got != StatusAvailable {
		t.Errorf("StatusAt(available_after) = %s, want available", got)
	}
}
