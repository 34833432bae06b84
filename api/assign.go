package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"numberpool"
)

// routingObject is the partial number object that the assign and unassign
// routes return.
type routingObject struct {
	E164          string            `json:"e164"`
	TrunkID       *string           `json:"trunk_id"`
	ApplicationID *string           `json:"application_id"`
	Status        numberpool.Status `json:"status"`
	UpdatedAt     string            `json:"updated_at"`
}

type assignTrunkRequest struct {
	TrunkID string `json:"trunk_id"`
}

type assignApplicationRequest struct {
	ApplicationID string `json:"application_id"`
}

// updateNumberRequest is the body of PATCH .../numbers/{e164}. The holds
// field is accepted only to reject it with a clear message, because the
// account can read its holds but only the operator lifts them.
type updateNumberRequest struct {
	ReleaseProtection *bool `json:"release_protection"`
	Holds             *any  `json:"holds"`
	Status            *any  `json:"status"`
}

// handleAssignTrunk serves POST /v1/account/{account_id}/numbers/{e164}/assign.
func (s *Server) handleAssignTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	var req assignTrunkRequest
	if err := decodeObject(r.Body, &req, "trunk_id"); err != nil {
		return err
	}
	if req.TrunkID == "" {
		return numberpool.Validation("trunk_id", "is required",
			"missing trunk_id: give the id of one of your trunks, e.g. {\"trunk_id\": \"trunk_4x5y6z\"}")
	}

	n, err := s.store.AssignTrunk(r.Context(), accountID, e164, req.TrunkID)
	if err != nil {
		return fmt.Errorf("assign trunk %s to %s of account %s: %w", req.TrunkID, e164, accountID, err)
	}
	return s.writeRouting(w, r, n)
}

// handleAssignApplication serves POST
// /v1/account/{account_id}/numbers/{e164}/application.
func (s *Server) handleAssignApplication(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	var req assignApplicationRequest
	if err := decodeObject(r.Body, &req, "application_id"); err != nil {
		return err
	}
	if req.ApplicationID == "" {
		return numberpool.Validation("application_id", "is required",
			"missing application_id: give the id of one of your applications, e.g. {\"application_id\": \"app_xyz789\"}")
	}

	n, err := s.store.AssignApplication(r.Context(), accountID, e164, req.ApplicationID)
	if err != nil {
		return fmt.Errorf("assign application %s to %s of account %s: %w", req.ApplicationID, e164, accountID, err)
	}
	return s.writeRouting(w, r, n)
}

// handleUnassignTrunk serves DELETE
// /v1/account/{account_id}/numbers/{e164}/assign.
func (s *Server) handleUnassignTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	n, err := s.store.UnassignTrunk(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("unassign trunk of %s of account %s: %w", e164, accountID, err)
	}
	return s.writeRouting(w, r, n)
}

// handleUnassignApplication serves DELETE
// /v1/account/{account_id}/numbers/{e164}/application.
func (s *Server) handleUnassignApplication(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	n, err := s.store.UnassignApplication(r.Context(), accountID, e164)
	if err != nil {
		return fmt.Errorf("unassign application of %s of account %s: %w", e164, accountID, err)
	}
	return s.writeRouting(w, r, n)
}

// writeRouting writes the partial number object, with the status that the
// full object shows.
func (s *Server) writeRouting(w http.ResponseWriter, r *http.Request, n numberpool.Number) error {
	guards, err := s.guards(r.Context(), n.AccountID, []numberpool.Number{n})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, routingObject{
		E164:          n.E164,
		TrunkID:       nullable(n.TrunkID),
		ApplicationID: nullable(n.ApplicationID),
		Status:        numberpool.DisplayStatus(n, guards[n.E164], s.clock.Now()),
		UpdatedAt:     numberpool.FormatTime(n.UpdatedAt),
	})
}

// handleUpdateNumber serves PATCH /v1/account/{account_id}/numbers/{e164},
// which sets release_protection and returns the number object.
func (s *Server) handleUpdateNumber(w http.ResponseWriter, r *http.Request) error {
	accountID, e164, err := numberPath(r)
	if err != nil {
		return err
	}
	var req updateNumberRequest
	if err := decodeObject(r.Body, &req, "release_protection"); err != nil {
		return err
	}
	switch {
	case req.Holds != nil:
		return numberpool.Validation("holds", "cannot be changed by the account",
			"holds cannot be changed through the API: the operator places and lifts them; contact support about a hold")
	case req.Status != nil:
		return numberpool.Validation("status", "cannot be set",
			"status cannot be set: release the number with DELETE, or cancel a release with POST .../cancel-release")
	case req.ReleaseProtection == nil:
		return numberpool.Validation("release_protection", "is required",
			"missing release_protection: send {\"release_protection\": true} or {\"release_protection\": false}")
	}

	if err := s.store.SetReleaseProtection(r.Context(), accountID, e164, *req.ReleaseProtection); err != nil {
		return fmt.Errorf("set release protection of %s of account %s: %w", e164, accountID, err)
	}
	s.logger.InfoContext(r.Context(), "release protection set",
		"account_id", accountID, "e164", e164, "release_protection", *req.ReleaseProtection)
	return s.handleGetNumber(w, r)
}

// guards reads the release guards of the account's numbers.
func (s *Server) guards(ctx context.Context, accountID string, numbers []numberpool.Number) (map[string]numberpool.ReleaseGuards, error) {
	e164s := make([]string, 0, len(numbers))
	for _, n := range numbers {
		e164s = append(e164s, n.E164)
	}
	guards, err := s.store.ReleaseGuards(ctx, accountID, e164s)
	if err != nil {
		return nil, fmt.Errorf("read release guards of account %s: %w", accountID, err)
	}
	return guards, nil
}

// holdObject is one hold in the number object.
type holdObject struct {
	Kind     numberpool.HoldKind `json:"kind"`
	Reason   string              `json:"reason"`
	Scope    string              `json:"scope"` // "number", or "account" for a hold on all the account's numbers
	PlacedAt string              `json:"placed_at"`
}

// withGuards adds to a number object what may block the release of n, and
// shows a billing hold as the status suspended.
func withGuards(obj numberObject, n numberpool.Number, g numberpool.ReleaseGuards, now time.Time) numberObject {
	obj.Status = numberpool.DisplayStatus(n, g, now)
	obj.ActiveCalls = g.ActiveCalls
	obj.ReleaseProtection = g.ReleaseProtection
	obj.Holds = make([]holdObject, 0, len(g.Holds))
	for _, h := range g.Holds {
		scope := "number"
		if h.E164 == "" {
			scope = "account"
		}
		obj.Holds = append(obj.Holds, holdObject{
			Kind: h.Kind, Reason: h.Reason, Scope: scope, PlacedAt: numberpool.FormatTime(h.PlacedAt),
		})
	}
	return obj
}
