package api

import (
	"fmt"
	"net/http"

	"numberpool"
)

// cancelledMessage is the message of a cancelled release, in the public
// release page's words.
const cancelledMessage = "Number release cancelled successfully"

// previewResponse is the body of GET .../numbers/{e164}/release-preview.
type previewResponse struct {
	E164                 string           `json:"e164"`
	CanRelease           bool             `json:"can_release"`
	EarlyTerminationFee  numberpool.Cents `json:"early_termination_fee"`
	Currency             string           `json:"currency"`
	CoolingOffPeriodDays int              `json:"cooling_off_period_days"`
	Warnings             []string         `json:"warnings"` // never null
}

// releaseResponse is the body of DELETE .../numbers/{e164}.
type releaseResponse struct {
	E164                 string            `json:"e164"`
	Status               numberpool.Status `json:"status"`
	ReleasedAt           string            `json:"released_at"`
	EarlyTerminationFee  numberpool.Cents  `json:"early_termination_fee"`
	Currency             string            `json:"currency"`
	CoolingOffPeriodDays int               `json:"cooling_off_period_days"`
	AvailableAfter       string            `json:"available_after"`
}

// cancelResponse is the body of POST .../numbers/{e164}/cancel-release.
type cancelResponse struct {
	E164               string            `json:"e164"`
	Status             numberpool.Status `json:"status"`
	ReleaseCancelledAt string            `json:"release_cancelled_at"`
	Message            string            `json:"message"`
	// Warnings name the assignments that could not be restored; never
	// null.
	Warnings []string `json:"warnings"`
}

// handlePreviewRelease serves GET
// /v1/account/{account_id}/numbers/{e164}/release-preview.
func (s *Server) handlePreviewRelease(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}

	preview, err := s.store.PreviewRelease(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("preview release of %s for account %s: %w", e164, accountID, err)
	}

	warnings := preview.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return writeJSON(w, http.StatusOK, previewResponse{
		E164:                 preview.E164,
		CanRelease:           preview.CanRelease,
		EarlyTerminationFee:  preview.EarlyTerminationFee,
		Currency:             currencyUSD,
		CoolingOffPeriodDays: preview.CoolingOffDays,
		Warnings:             warnings,
	})
}

// handleReleaseNumber serves DELETE /v1/account/{account_id}/numbers/{e164}.
func (s *Server) handleReleaseNumber(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}

	release, err := s.store.ReleaseNumber(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("release %s for account %s: %w", e164, accountID, err)
	}
	return writeJSON(w, http.StatusOK, releaseResponse{
		E164:                 release.E164,
		Status:               numberpool.StatusReleased,
		ReleasedAt:           numberpool.FormatTime(release.ReleasedAt),
		EarlyTerminationFee:  release.EarlyTerminationFee,
		Currency:             currencyUSD,
		CoolingOffPeriodDays: release.CoolingOffDays,
		AvailableAfter:       numberpool.FormatTime(release.AvailableAfter),
	})
}

// handleCancelRelease serves POST
// /v1/account/{account_id}/numbers/{e164}/cancel-release.
func (s *Server) handleCancelRelease(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}

	// A billing hold placed during the cooling-off period suspends the
	// number that the cancel makes active again. The holds are read first,
	// so that a failed read leaves the release as it was.
	guards, err := s.store.ReleaseGuards(r.Context(), accountID, []string{e164})
	if err != nil {
		return fmt.Errorf("get holds of %s for account %s: %w", e164, accountID, err)
	}
	status := numberpool.StatusActive
	if guards[e164].Suspended() {
		status = numberpool.StatusSuspended
	}

	cancellation, err := s.store.CancelRelease(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("cancel release of %s for account %s: %w", e164, accountID, err)
	}
	return writeJSON(w, http.StatusOK, cancelResponse{
		E164:               cancellation.E164,
		Status:             status,
		ReleaseCancelledAt: numberpool.FormatTime(cancellation.CancelledAt),
		Message:            cancelledMessage,
		Warnings:           nonNilStrings(cancellation.Warnings),
	})
}
