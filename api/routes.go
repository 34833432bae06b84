package api

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"numberpool"
)

// handlerFunc is an HTTP handler that returns its failure instead of writing
// it, so that writeError alone shapes every error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route labels of the requests that match no pattern, for logs and metrics.
const (
	routeNotFound         = "not_found"
	routeMethodNotAllowed = "method_not_allowed"
	routeInvalidNumber    = "invalid_number_path"
)

// probedMethods are the methods tried when a path matches no route for the
// request's method, to tell 405 from 404 and to fill the Allow header.
var probedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// routes registers every route of the API.
func (s *Server) routes() {
	s.handle("GET /healthz", s.handleHealthz)
	if !s.separateMetrics {
		s.mux.Handle("GET /metrics", s.MetricsHandler())
	}

	s.handle("GET /v1/account/{account_id}/numbers", s.requireKey(s.handleListNumbers))
	s.handle("GET /v1/account/{account_id}/numbers/{e164}", s.requireKey(s.handleGetNumber))
	s.handle("DELETE /v1/account/{account_id}/numbers/{e164}", s.requireKey(s.handleReleaseNumber))
	s.handle("GET /v1/account/{account_id}/numbers/{e164}/release-preview", s.requireKey(s.handlePreviewRelease))
	s.handle("POST /v1/account/{account_id}/numbers/{e164}/cancel-release", s.requireKey(s.handleCancelRelease))

	s.handle("PATCH /v1/account/{account_id}/numbers/{e164}", s.requireKey(s.handleUpdateNumber))
	s.handle("POST /v1/account/{account_id}/numbers/{e164}/calls", s.requireKey(s.handleCallEvent))
	s.handle("POST /v1/account/{account_id}/numbers/{e164}/assign", s.requireKey(s.handleAssignTrunk))
	s.handle("DELETE /v1/account/{account_id}/numbers/{e164}/assign", s.requireKey(s.handleUnassignTrunk))
	s.handle("POST /v1/account/{account_id}/numbers/{e164}/application", s.requireKey(s.handleAssignApplication))
	s.handle("DELETE /v1/account/{account_id}/numbers/{e164}/application", s.requireKey(s.handleUnassignApplication))

	s.handle("POST /v1/account/{account_id}/trunks", s.requireKey(s.handleCreateTrunk))
	s.handle("GET /v1/account/{account_id}/trunks", s.requireKey(s.handleListTrunks))
	s.handle("GET /v1/account/{account_id}/trunks/{trunk_id}", s.requireKey(s.handleGetTrunk))
	s.handle("PUT /v1/account/{account_id}/trunks/{trunk_id}", s.requireKey(s.handleUpdateTrunk))
	s.handle("DELETE /v1/account/{account_id}/trunks/{trunk_id}", s.requireKey(s.handleDeleteTrunk))

	s.handle("POST /v1/account/{account_id}/applications", s.requireKey(s.handleCreateApplication))
	s.handle("GET /v1/account/{account_id}/applications", s.requireKey(s.handleListApplications))
	s.handle("GET /v1/account/{account_id}/applications/{application_id}", s.requireKey(s.handleGetApplication))
	s.handle("PUT /v1/account/{account_id}/applications/{application_id}", s.requireKey(s.handleUpdateApplication))
	s.handle("DELETE /v1/account/{account_id}/applications/{application_id}", s.requireKey(s.handleDeleteApplication))

	s.handle("GET /v1/account/{account_id}/inventory/numbers", s.requireKey(s.handleSearchInventory))
	s.handle("POST /v1/account/{account_id}/numbers/purchase-from-inventory", s.requireKey(s.handlePurchaseNumber))
}

func (s *Server) handle(pattern string, h handlerFunc) {
	s.mux.Handle(pattern, s.adapt(h))
}

// adapt turns a handlerFunc into an http.Handler that writes the returned
// error.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// dispatch passes r to the mux, except the requests that the mux would
// redirect or reject in plain text. Those get the API's error object.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()

	// http.ServeMux redirects a path with an empty segment to its cleaned
	// form, which would turn /numbers//release-preview into a request for the
	// number "release-preview". An empty number is a malformed number, so it
	// gets 400 after authentication, whatever the method and the rest of the
	// path.
	if accountID, segment, ok := splitEmptyNumberPath(escaped); ok {
		setRoute(r, routeInvalidNumber)
		r.SetPathValue("account_id", accountID)
		r.SetPathValue("e164", segment)
		s.adapt(s.requireKey(s.handleInvalidNumberPath)).ServeHTTP(w, r)
		return
	}
	if !isCleanPath(escaped) {
		setRoute(r, routeNotFound)
		s.writeError(w, r, noRoute(r))
		return
	}

	// No pattern ends in a slash, so the mux never redirects here: an empty
	// pattern means that no route matched.
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.writeUnmatched(w, r)
		return
	}
	setRoute(r, pattern)
	s.mux.ServeHTTP(w, r)
}

// writeUnmatched writes 405 when the path has routes for other methods, else
// 404.
func (s *Server) writeUnmatched(w http.ResponseWriter, r *http.Request) {
	allowed := s.allowedMethods(r)
	if len(allowed) == 0 {
		setRoute(r, routeNotFound)
		s.writeError(w, r, noRoute(r))
		return
	}

	setRoute(r, routeMethodNotAllowed)
	list := strings.Join(allowed, ", ")
	w.Header().Set("Allow", list)

	// The code is not NOT_FOUND: the resource exists, and clients that
	// switch on NOT_FOUND must not conclude that the number is gone.
	err := &numberpool.Error{
		Code:    numberpool.CodeMethodNotAllowed,
		Message: fmt.Sprintf("method %s is not allowed on %s: allowed methods are %s", r.Method, r.URL.Path, list),
		Details: []numberpool.ErrorDetail{{Field: "method", Reason: "must be one of " + list}},
	}
	s.writeError(w, r, err)
}

func (s *Server) allowedMethods(r *http.Request) []string {
	var allowed []string
	for _, method := range probedMethods {
		probe := r.WithContext(r.Context())
		probe.Method = method
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			allowed = append(allowed, method)
		}
	}
	return allowed
}

// handleInvalidNumberPath rejects an empty or dot number segment with the
// same error as any other malformed number.
func (s *Server) handleInvalidNumberPath(w http.ResponseWriter, r *http.Request) error {
	if err := numberpool.ValidateE164("e164", r.PathValue("e164")); err != nil {
		return err
	}
	return noRoute(r)
}

func noRoute(r *http.Request) *numberpool.Error {
	return numberpool.Errorf(numberpool.CodeNotFound, "no route for %s %s", r.Method, r.URL.Path)
}

// splitEmptyNumberPath reports whether escapedPath is under
// /v1/account/{account_id}/numbers/ with an empty, "." or ".." segment where
// the number goes, and returns the account id and that segment.
func splitEmptyNumberPath(escapedPath string) (accountID, segment string, ok bool) {
	segments := strings.Split(escapedPath, "/")
	if len(segments) < 6 || segments[0] != "" || segments[1] != "v1" || segments[2] != "account" || segments[4] != "numbers" {
		return "", "", false
	}
	if isDotOrEmpty(segments[3]) || !isDotOrEmpty(segments[5]) {
		return "", "", false
	}

	accountID, err := url.PathUnescape(segments[3])
	if err != nil {
		return "", "", false
	}
	return accountID, segments[5], true
}

func isDotOrEmpty(segment string) bool {
	return segment == "" || segment == "." || segment == ".."
}

// isCleanPath reports whether the mux would serve p as it is, without
// redirecting to a cleaned path. Like the mux, it keeps a trailing slash.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}
