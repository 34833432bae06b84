package numberpool

import (
	"fmt"
	"time"
)

// BlockerKind names a reason a number cannot be released.
type BlockerKind string

// The blocker kinds, in the order a release lists them.
const (
	BlockerActiveCalls       BlockerKind = "active_calls"
	BlockerBillingHold       BlockerKind = "billing_hold"
	BlockerPortOutHold       BlockerKind = "port_out_hold"
	BlockerLegalHold         BlockerKind = "legal_hold"
	BlockerReleaseProtection BlockerKind = "release_protection"
)

// Blocker is one reason a number cannot be released right now.
type Blocker struct {
	Kind    BlockerKind
	Message string // a plain sentence for the preview's warnings
}

// Preview is the outcome a release of a number would have now.
type Preview struct {
	E164                string
	CanRelease          bool
	EarlyTerminationFee Cents
	CoolingOffDays      int
	Warnings            []string // never nil
}

// Release is the record of a number's release.
type Release struct {
	E164                string
	ReleasedAt          time.Time
	EarlyTerminationFee Cents
	CoolingOffDays      int
	AvailableAfter      time.Time
}

// Cancellation is the result of cancelling a release.
type Cancellation struct {
	E164        string
	CancelledAt time.Time
	// Warnings name the assignments that could not be restored because
	// their trunk or application was deleted after the release.
	Warnings []string
}

// PreviewRelease describes a release of n at now under policy p. n must be
// held by the caller's account at now (see Number.OwnedBy).
func PreviewRelease(n Number, p Policy, blockers []Blocker, now time.Time) Preview {
	if n.StatusAt(now) == StatusReleased {
		return Preview{
			E164:           n.E164,
			CanRelease:     false,
			CoolingOffDays: p.CoolingOffDays,
			Warnings: []string{fmt.Sprintf(
				"This number was released at %s. The release can be cancelled until %s.",
				FormatTime(n.ReleasedAt), FormatTime(n.AvailableAfter))},
		}
	}

	preview := Preview{
		E164:                n.E164,
		CanRelease:          len(blockers) == 0,
		EarlyTerminationFee: FeeAt(n.PurchasedAt, now, p),
		CoolingOffDays:      p.CoolingOffDays,
		Warnings:            []string{},
	}
	for _, b := range blockers {
		preview.Warnings = append(preview.Warnings, b.Message)
	}
	if preview.EarlyTerminationFee > 0 {
		preview.Warnings = append(preview.Warnings, feeWarning(p))
	}
	return preview
}

// feeWarning follows the wording of the public release page's example.
func feeWarning(p Policy) string {
	unit := "months"
	if p.MinimumTermMonths == 1 {
		unit = "month"
	}
	return fmt.Sprintf("This number was purchased less than %d %s ago and has a $%s early termination fee",
		p.MinimumTermMonths, unit, p.EarlyTerminationFee)
}

// PlanRelease decides the release of n at now under policy p: a CONFLICT
// error when n is already released, RELEASE_BLOCKED with one detail per
// blocker, or the release to store. now must have whole seconds.
func PlanRelease(n Number, p Policy, blockers []Blocker, now time.Time) (Release, error) {
	if n.StatusAt(now) == StatusReleased {
		return Release{}, Errorf(CodeConflict,
			"number %s is already in the process of being released. The release can be cancelled until %s",
			n.E164, FormatTime(n.AvailableAfter))
	}
	if n.StatusAt(now) != StatusActive {
		return Release{}, NumberNotFound(n.E164)
	}
	if len(blockers) > 0 {
		return Release{}, blockedError(n.E164, blockers)
	}

	return Release{
		E164:                n.E164,
		ReleasedAt:          now,
		EarlyTerminationFee: FeeAt(n.PurchasedAt, now, p),
		CoolingOffDays:      p.CoolingOffDays,
		AvailableAfter:      AvailableAfter(now, p.CoolingOffDays),
	}, nil
}

func blockedError(e164 string, blockers []Blocker) *Error {
	details := make([]ErrorDetail, len(blockers))
	for i, b := range blockers {
		details[i] = ErrorDetail{Field: string(b.Kind), Reason: b.Message}
	}
	noun := "blocker"
	if len(blockers) > 1 {
		noun = "blockers"
	}
	return &Error{
		Code:    CodeReleaseBlocked,
		Message: fmt.Sprintf("number %s cannot be released: %d %s (see details)", e164, len(blockers), noun),
		Details: details,
	}
}

// PlanCancel checks that the release of n can be cancelled at now: NOT_FOUND
// once the cooling-off period has ended (the number is no longer the
// account's), CONFLICT when n is not released.
func PlanCancel(n Number, now time.Time) error {
	switch n.StatusAt(now) {
	case StatusReleased:
		return nil
	case StatusActive:
		return Errorf(CodeConflict, "number %s is not released, so there is no release to cancel", n.E164)
	}
	return NumberNotFound(n.E164)
}
