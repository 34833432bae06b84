package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
// number object of the bought number.
func (s *Server) handlePurchaseNumber(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	var req purchaseRequest
	if err := decodeStrictJSON(r.Body, &req); err != nil {
		return err
	}
	e164, country := deref(req.E164), strings.ToUpper(deref(req.Country))
	if err := numberpool.ValidatePurchase(e164, country); err != nil {
		return err
	}

	n, err := s.store.PurchaseNumber(r.Context(), accountID, e164, country)
	if err != nil {
		return fmt.Errorf("purchase %s for account %s: %w", e164, accountID, err)
	}
	s.logger.InfoContext(r.Context(), "number purchased", "account_id", accountID, "e164", e164)
	return writeJSON(w, http.StatusCreated, newNumberObject(n, n.PurchasedAt))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeStrictJSON decodes one JSON object into v. It rejects unknown
// fields, because silently dropping a misspelled field of a purchase would
// buy something the client did not ask for, and it rejects trailing data.
// Every failure is a VALIDATION_FAILED naming the field at fault, or "body".
func decodeStrictJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err) // a body past the limit becomes 400
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return numberpool.Validation("body", "must be a JSON object",
			"missing request body: expected a JSON object such as {\"e164\": \"+14155551234\", \"country\": \"US\"}")
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return numberpool.Validation("body", "must be one JSON object",
			"invalid request body: expected one JSON object and nothing after it")
	}
	return nil
}

// jsonError turns a decoding failure into a VALIDATION_FAILED error. The
// decoder reports an unknown field only in its message, "json: unknown
// field \"name\"", which is the one case read from message text.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return numberpool.Validation(typeErr.Field, "must be a string",
			"invalid %s: expected a JSON string, got a JSON %s", typeErr.Field, typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := strings.Trim(name, `"`)
		return numberpool.Validation(field, "is not a field of this request",
			"unknown field %q: the request takes only e164 and country", shorten(field))
	}
	return numberpool.Validation("body", "must be a JSON object",
		"invalid JSON in request body: %s", shorten(strings.TrimPrefix(err.Error(), "json: ")))
}
