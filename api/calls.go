package api

import (
	"errors"
	"fmt"
	"net/http"

	"numberpool"
)

// callRequest is the body of a call event that the voice platform reports.
type callRequest struct {
	CallID string `json:"call_id"`
	Event  string `json:"event"`
}

// callResponse confirms a call event with the number's count of active
// calls after it.
type callResponse struct {
	E164        string               `json:"e164"`
	CallID      string               `json:"call_id"`
	Event       numberpool.CallEvent `json:"event"`
	ActiveCalls int                  `json:"active_calls"`
}

// handleCallEvent serves POST /v1/account/{account_id}/numbers/{e164}/calls.
// Sending an event again returns 200 and changes nothing, so the voice
// platform can retry freely.
func (s *Server) handleCallEvent(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	var req callRequest
	if err := decodeObject(r.Body, &req, "call_id and event"); err != nil {
		return err
	}
	// Both fields are checked before either error is returned, so that the
	// client learns of both at once.
	var fields queryParser
	fields.add(numberpool.ValidateCallID(req.CallID))
	event, err := numberpool.ParseCallEvent(req.Event)
	fields.add(err)
	if err := fields.err(); err != nil {
		return err
	}

	report, err := s.store.RecordCallEvent(r.Context(), accountID, e164, req.CallID, event)
	if err != nil {
		return fmt.Errorf("record call %s %s on %s of account %s: %w", req.CallID, event, e164, accountID, err)
	}
	return writeJSON(w, http.StatusOK, callResponse{
		E164: report.E164, CallID: report.CallID, Event: report.Event, ActiveCalls: report.ActiveCalls,
	})
}

// add collects a validation error of a body field. Other errors cannot
// come from the validators it is given.
func (p *queryParser) add(err error) {
	var e *numberpool.Error
	if errors.As(err, &e) {
		p.errs = append(p.errs, e)
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
