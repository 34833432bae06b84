package api

import (
	"fmt"
	"net/http"

	"numberpool"
)

// purchaseRequest is the body of a purchase. The fields are pointers so that
// a missing field is distinguished from an empty one.
type purchaseRequest struct {
	E164    *string `json:"e164"`
	Country *string `json:"country"`
}

// handlePurchaseNumber serves POST
// /v1/account/{account_id}/numbers/purchase-from-inventory: 201 with the
// number object of the bought number, the same object GET returns.
func (s *Server) handlePurchaseNumber(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	var req purchaseRequest
	if err := decodeObject(r.Body, &req, "e164 and country"); err != nil {
		return err
	}
	e164, country := deref(req.E164), upperASCII(deref(req.Country))
	if err := numberpool.ValidatePurchase(e164, country); err != nil {
		return err
	}

	n, err := s.store.PurchaseNumber(r.Context(), accountID, e164, country)
	if err != nil {
		return fmt.Errorf("purchase %s for account %s: %w", e164, accountID, err)
	}
	s.logger.InfoContext(r.Context(), "number purchased", "account_id", accountID, "e164", e164)

	// An account-wide hold already covers the new number, so the response
	// reads the guards as GET does.
	obj, err := s.guardedNumberObject(r.Context(), accountID, n, s.clock.Now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, obj)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
