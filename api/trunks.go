package api

import (
	"fmt"
	"net/http"

	"numberpool"
)

// DefaultSIPDomain is the domain under which trunks get their SIP domain
// when Options.SIPDomain is empty, as in the numbers API's example
// trunk-4x5y6z.sip.tryvox.io.
const DefaultSIPDomain = "sip.tryvox.io"

// trunkObject is the trunk object of the numbers API.
type trunkObject struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	AuthType        numberpool.AuthType `json:"auth_type"`
	SIPDomain       string              `json:"sip_domain"`
	TerminationURI  *string             `json:"termination_uri"`
	OriginationURIs []string            `json:"origination_uris"` // never null
	MaxChannels     int                 `json:"max_channels"`
	Status          string              `json:"status"`
	CreatedAt       string              `json:"created_at"`
	UpdatedAt       string              `json:"updated_at"`
}

func newTrunkObject(t numberpool.Trunk) trunkObject {
	origination := t.OriginationURIs
	if origination == nil {
		origination = []string{}
	}
	return trunkObject{
		ID:              t.ID,
		Name:            t.Name,
		AuthType:        t.AuthType,
		SIPDomain:       t.SIPDomain,
		TerminationURI:  nullable(t.TerminationURI),
		OriginationURIs: origination,
		MaxChannels:     t.MaxChannels,
		Status:          numberpool.TrunkStatusActive,
		CreatedAt:       numberpool.FormatTime(t.CreatedAt),
		UpdatedAt:       numberpool.FormatTime(t.UpdatedAt),
	}
}

// trunkRequest is the body of a trunk's create and update. A null field is
// the same as a missing one.
type trunkRequest struct {
	Name            string   `json:"name"`
	AuthType        string   `json:"auth_type"`
	TerminationURI  string   `json:"termination_uri"`
	OriginationURIs []string `json:"origination_uris"`
	MaxChannels     int      `json:"max_channels"`
}

const trunkFields = "name, auth_type, termination_uri, origination_uris and max_channels"

func (req trunkRequest) spec() (numberpool.TrunkSpec, error) {
	spec := numberpool.TrunkSpec{
		Name:            req.Name,
		AuthType:        numberpool.AuthType(req.AuthType),
		TerminationURI:  req.TerminationURI,
		OriginationURIs: req.OriginationURIs,
		MaxChannels:     req.MaxChannels,
	}
	return spec, spec.Validate()
}

// listResponse is one page of a list of trunks or applications.
type listResponse[T any] struct {
	Data       []T        `json:"data"` // never null
	Pagination pagination `json:"pagination"`
}

func newListResponse[T any](data []T, total int, page numberpool.Page) listResponse[T] {
	if data == nil {
		data = []T{}
	}
	return listResponse[T]{Data: data, Pagination: pagination{
		Total:       total,
		Count:       len(data),
		PerPage:     page.PerPage,
		CurrentPage: page.Page,
		TotalPages:  (total + page.PerPage - 1) / page.PerPage,
	}}
}

// parsePageQuery decodes page and per_page, as the numbers list does.
func parsePageQuery(rawQuery string) (numberpool.Page, error) {
	page := numberpool.Page{Page: 1, PerPage: defaultPerPage}
	p := newQueryParser(rawQuery)
	p.parse("page", func(raw string) (err *numberpool.Error) {
		page.Page, err = parseIntInRange("page", raw, 1, maxPage)
		return err
	})
	p.parse("per_page", func(raw string) (err *numberpool.Error) {
		page.PerPage, err = parseIntInRange("per_page", raw, 1, maxPerPage)
		return err
	})
	return page, p.err()
}

// handleCreateTrunk serves POST /v1/account/{account_id}/trunks: 201 with the
// trunk object.
func (s *Server) handleCreateTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	var req trunkRequest
	if err := decodeObject(r.Body, &req, trunkFields); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}

	id := numberpool.NewTrunkID()
	trunk, err := s.store.CreateTrunk(r.Context(), numberpool.Trunk{
		TrunkSpec: spec, ID: id, AccountID: accountID, SIPDomain: numberpool.TrunkSIPDomain(id, s.sipDomain),
	})
	if err != nil {
		return fmt.Errorf("create trunk for account %s: %w", accountID, err)
	}
	s.logger.InfoContext(r.Context(), "trunk created", "account_id", accountID, "trunk_id", trunk.ID)
	return writeJSON(w, http.StatusCreated, newTrunkObject(trunk))
}

// handleListTrunks serves GET /v1/account/{account_id}/trunks.
func (s *Server) handleListTrunks(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	page, err := parsePageQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	trunks, total, err := s.store.ListTrunks(r.Context(), accountID, page)
	if err != nil {
		return fmt.Errorf("list trunks of account %s: %w", accountID, err)
	}

	data := make([]trunkObject, 0, len(trunks))
	for _, t := range trunks {
		data = append(data, newTrunkObject(t))
	}
	return writeJSON(w, http.StatusOK, newListResponse(data, total, page))
}

// handleGetTrunk serves GET /v1/account/{account_id}/trunks/{trunk_id}.
func (s *Server) handleGetTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID, trunkID := r.PathValue("account_id"), r.PathValue("trunk_id")
	trunk, err := s.store.GetTrunk(r.Context(), accountID, trunkID)
	if err != nil {
		return fmt.Errorf("get trunk %s of account %s: %w", trunkID, accountID, err)
	}
	return writeJSON(w, http.StatusOK, newTrunkObject(trunk))
}

// handleUpdateTrunk serves PUT /v1/account/{account_id}/trunks/{trunk_id}. It
// replaces every field, as a PUT does: a missing optional field is reset to
// its default.
func (s *Server) handleUpdateTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID, trunkID := r.PathValue("account_id"), r.PathValue("trunk_id")
	var req trunkRequest
	if err := decodeObject(r.Body, &req, trunkFields); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}

	trunk, err := s.store.UpdateTrunk(r.Context(), accountID, trunkID, spec)
	if err != nil {
		return fmt.Errorf("update trunk %s of account %s: %w", trunkID, accountID, err)
	}
	return writeJSON(w, http.StatusOK, newTrunkObject(trunk))
}

// handleDeleteTrunk serves DELETE /v1/account/{account_id}/trunks/{trunk_id}:
// 204, or 409 CONFLICT listing the numbers that still route to the trunk.
func (s *Server) handleDeleteTrunk(w http.ResponseWriter, r *http.Request) error {
	accountID, trunkID := r.PathValue("account_id"), r.PathValue("trunk_id")
	if err := s.store.DeleteTrunk(r.Context(), accountID, trunkID); err != nil {
		return fmt.Errorf("delete trunk %s of account %s: %w", trunkID, accountID, err)
	}
	s.logger.InfoContext(r.Context(), "trunk deleted", "account_id", accountID, "trunk_id", trunkID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
