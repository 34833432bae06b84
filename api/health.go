package api

import (
	"net/http"

	"numberpool"
)

type healthResponse struct {
	Status string `json:"status"`
}

// handleHealthz reports whether the store responds to a ping. It needs no
// API key, so that load balancers can call it.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Ping(r.Context()); err != nil {
		return &numberpool.Error{
			Code:    numberpool.CodeServiceUnavailable,
			Message: "service unavailable: the database does not answer",
			Err:     err,
		}
	}
	return writeJSON(w, http.StatusOK, healthResponse{Status: "ok"})
}
