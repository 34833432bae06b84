package api

import (
	"fmt"
	"net/http"

	"numberpool"
)

// applicationObject is the application object: the URLs that the voice
// platform calls for the calls to numbers routed to the application.
type applicationObject struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	AnswerURL         string  `json:"answer_url"`
	AnswerMethod      string  `json:"answer_method"`
	HangupURL         *string `json:"hangup_url"`
	StatusCallbackURL *string `json:"status_callback_url"`
	CreatedAt         string  `json:"created_at"`
	UpdatedAt         string  `json:"updated_at"`
}

func newApplicationObject(a numberpool.Application) applicationObject {
	return applicationObject{
		ID:                a.ID,
		Name:              a.Name,
		AnswerURL:         a.AnswerURL,
		AnswerMethod:      a.AnswerMethod,
		HangupURL:         nullable(a.HangupURL),
		StatusCallbackURL: nullable(a.StatusCallbackURL),
		CreatedAt:         numberpool.FormatTime(a.CreatedAt),
		UpdatedAt:         numberpool.FormatTime(a.UpdatedAt),
	}
}

// applicationRequest is the body of an application's create and update.
type applicationRequest struct {
	Name              string `json:"name"`
	AnswerURL         string `json:"answer_url"`
	AnswerMethod      string `json:"answer_method"`
	HangupURL         string `json:"hangup_url"`
	StatusCallbackURL string `json:"status_callback_url"`
}

const applicationFields = "name, answer_url, answer_method, hangup_url and status_callback_url"

func (req applicationRequest) spec() (numberpool.ApplicationSpec, error) {
	spec := numberpool.ApplicationSpec{
		Name:              req.Name,
		AnswerURL:         req.AnswerURL,
		AnswerMethod:      req.AnswerMethod,
		HangupURL:         req.HangupURL,
		StatusCallbackURL: req.StatusCallbackURL,
	}
	return spec, spec.Validate()
}

// handleCreateApplication serves POST /v1/account/{account_id}/applications:
// 201 with the application object.
func (s *Server) handleCreateApplication(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	var req applicationRequest
	if err := decodeObject(r.Body, &req, applicationFields); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}

	app, err := s.store.CreateApplication(r.Context(), numberpool.Application{
		ApplicationSpec: spec, ID: numberpool.NewApplicationID(), AccountID: accountID,
	})
	if err != nil {
		return fmt.Errorf("create application for account %s: %w", accountID, err)
	}
	s.logger.InfoContext(r.Context(), "application created", "account_id", accountID, "application_id", app.ID)
	return writeJSON(w, http.StatusCreated, newApplicationObject(app))
}

// handleListApplications serves GET /v1/account/{account_id}/applications.
func (s *Server) handleListApplications(w http.ResponseWriter, r *http.Request) error {
	accountID := r.PathValue("account_id")
	page, err := parsePageQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	apps, total, err := s.store.ListApplications(r.Context(), accountID, page)
	if err != nil {
		return fmt.Errorf("list applications of account %s: %w", accountID, err)
	}

	data := make([]applicationObject, 0, len(apps))
	for _, a := range apps {
		data = append(data, newApplicationObject(a))
	}
	return writeJSON(w, http.StatusOK, newListResponse(data, total, page))
}

// handleGetApplication serves GET
// /v1/account/{account_id}/applications/{application_id}.
func (s *Server) handleGetApplication(w http.ResponseWriter, r *http.Request) error {
	accountID, appID := r.PathValue("account_id"), r.PathValue("application_id")
	app, err := s.store.GetApplication(r.Context(), accountID, appID)
	if err != nil {
		return fmt.Errorf("get application %s of account %s: %w", appID, accountID, err)
	}
	return writeJSON(w, http.StatusOK, newApplicationObject(app))
}

// handleUpdateApplication serves PUT
// /v1/account/{account_id}/applications/{application_id}, which replaces
// every field.
func (s *Server) handleUpdateApplication(w http.ResponseWriter, r *http.Request) error {
	accountID, appID := r.PathValue("account_id"), r.PathValue("application_id")
	var req applicationRequest
	if err := decodeObject(r.Body, &req, applicationFields); err != nil {
		return err
	}
	spec, err := req.spec()
	if err != nil {
		return err
	}

	app, err := s.store.UpdateApplication(r.Context(), accountID, appID, spec)
	if err != nil {
		return fmt.Errorf("update application %s of account %s: %w", appID, accountID, err)
	}
	return writeJSON(w, http.StatusOK, newApplicationObject(app))
}

// handleDeleteApplication serves DELETE
// /v1/account/{account_id}/applications/{application_id}: 204, or 409
// CONFLICT listing the numbers that still route to the application.
func (s *Server) handleDeleteApplication(w http.ResponseWriter, r *http.Request) error {
	accountID, appID := r.PathValue("account_id"), r.PathValue("application_id")
	if err := s.store.DeleteApplication(r.Context(), accountID, appID); err != nil {
		return fmt.Errorf("delete application %s of account %s: %w", appID, accountID, err)
	}
	s.logger.InfoContext(r.Context(), "application deleted", "account_id", accountID, "application_id", appID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
