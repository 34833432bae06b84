package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"numberpool"
)

// currencyUSD is the currency of every amount, because the numbers API
// bills in US dollars only.
const currencyUSD = "USD"

// numberObject is the number object of the numbers API.
type numberObject struct {
	E164          string                  `json:"e164"`
	Country       string                  `json:"country"`
	Type          numberpool.NumberType   `json:"type"`
	Region        string                  `json:"region"`
	Status        numberpool.Status       `json:"status"`
	Capabilities  []numberpool.Capability `json:"capabilities"` // never null
	MonthlyFee    numberpool.Cents        `json:"monthly_fee"`
	SetupFee      numberpool.Cents        `json:"setup_fee"`
	Currency      string                  `json:"currency"`
	TrunkID       *string                 `json:"trunk_id"`
	ApplicationID *string                 `json:"application_id"`
	CreatedAt     string                  `json:"created_at"` // time of purchase
	UpdatedAt     string                  `json:"updated_at"`

	// ReleasedAt and AvailableAfter are sent only while the number is
	// released.
	ReleasedAt     string `json:"released_at,omitempty"`
	AvailableAfter string `json:"available_after,omitempty"`

	// ActiveCalls, ReleaseProtection and Holds are what may block a
	// release; withGuards sets them.
	ActiveCalls       int          `json:"active_calls"`
	ReleaseProtection bool         `json:"release_protection"`
	Holds             []holdObject `json:"holds"` // never null
}

// newNumberObject renders n for its account at now.
func newNumberObject(n numberpool.Number, now time.Time) numberObject {
	obj := numberObject{
		E164:          n.E164,
		Country:       n.Country,
		Type:          n.Type,
		Region:        n.Region,
		Status:        n.StatusAt(now),
		Capabilities:  n.Capabilities,
		MonthlyFee:    n.MonthlyFee,
		SetupFee:      n.SetupFee,
		Currency:      currencyUSD,
		TrunkID:       nullable(n.TrunkID),
		ApplicationID: nullable(n.ApplicationID),
		CreatedAt:     numberpool.FormatTime(n.PurchasedAt),
		UpdatedAt:     numberpool.FormatTime(n.UpdatedAt),
		Holds:         []holdObject{},
	}
	if obj.Capabilities == nil {
		obj.Capabilities = []numberpool.Capability{}
	}
	if obj.Status == numberpool.StatusReleased {
		obj.ReleasedAt = numberpool.FormatTime(n.ReleasedAt)
		obj.AvailableAfter = numberpool.FormatTime(n.AvailableAfter)
	}
	return obj
}

// nullable returns nil for an empty id, which JSON renders as null.
func nullable(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

// numberListResponse is one page of an account's numbers.
type numberListResponse struct {
	Data       []numberObject `json:"data"` // never null
	Pagination pagination     `json:"pagination"`
}

type pagination struct {
	Total       int `json:"total"`
	Count       int `json:"count"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
}

// handleGetNumber serves GET /v1/account/{account_id}/numbers/{e164}.
func (s *Server) handleGetNumber(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}

	n, err := s.store.GetNumber(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("get number %s of account %s: %w", e164, accountID, err)
	}

	// The store already returns only the account's numbers. The check keeps
	// a number whose cooling-off period has just ended from being shown as
	// the account's.
	now := s.clock.Now()
	if !n.OwnedBy(accountID, now) {
		return numberpool.NumberNotFound(e164)
	}
	obj, err := s.guardedNumberObject(r.Context(), accountID, n, now)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, obj)
}

// guardedNumberObject renders one of the account's numbers at now with its
// holds, active calls and release protection. GET and the purchase both use
// it, so they return the same object.
func (s *Server) guardedNumberObject(ctx context.Context, accountID string, n numberpool.Number, now time.Time) (numberObject, error) {
	guards, err := s.guards(ctx, accountID, []numberpool.Number{n})
	if err != nil {
		return numberObject{}, err
	}
	return withGuards(newNumberObject(n, now), n, guards[n.E164], now), nil
}

// handleListNumbers serves GET /v1/account/{account_id}/numbers.
func (s *Server) handleListNumbers(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	q, err := parseListNumbersQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}

	filter := numberpool.NumberFilter{Country: q.Country, Status: q.Status, Page: q.Page, PerPage: q.PerPage}
	page, err := s.store.ListNumbers(r.Context(), accountID, filter)
	if err != nil {
		return fmt.Errorf("list numbers of account %s: %w", accountID, err)
	}

	guards, err := s.guards(r.Context(), accountID, page.Numbers)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	data := make([]numberObject, 0, len(page.Numbers))
	for _, n := range page.Numbers {
		data = append(data, withGuards(newNumberObject(n, now), n, guards[n.E164], now))
	}
	return writeJSON(w, http.StatusOK, numberListResponse{
		Data: data,
		Pagination: pagination{
			Total:       page.Total,
			Count:       len(data),
			PerPage:     q.PerPage,
			CurrentPage: q.Page,
			TotalPages:  (page.Total + q.PerPage - 1) / q.PerPage,
		},
	})
}

// numberPath returns the account id and the validated number of a path with
// {account_id} and {e164}. The mux has already decoded %2B to "+", and a
// path is never form-decoded, so a literal "+" stays a "+".
func numberPath(r *http.Request) (accountID, e164 string, err error) {
	accountID, e164 = r.PathValue("account_id"), r.PathValue("e164")
	if err := validatePathNumber("e164", e164); err != nil {
		return "", "", err
	}
	return accountID, e164, nil
}
