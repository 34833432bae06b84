package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"numberpool"
)

// codeStatus maps each code of numberpool's closed set to its HTTP status.
// A code missing here is sent as INTERNAL_ERROR.
var codeStatus = map[numberpool.Code]int{
	numberpool.CodeValidationFailed:   http.StatusBadRequest,
	numberpool.CodeReleaseBlocked:     http.StatusBadRequest,
	numberpool.CodeUnauthorized:       http.StatusUnauthorized,
	numberpool.CodeForbidden:          http.StatusForbidden,
	numberpool.CodeNotFound:           http.StatusNotFound,
	numberpool.CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	numberpool.CodeConflict:           http.StatusConflict,
	numberpool.CodeRateLimited:        http.StatusTooManyRequests,
	numberpool.CodeInternal:           http.StatusInternalServerError,
	numberpool.CodeServiceUnavailable: http.StatusServiceUnavailable,
}

// internalMessage is all a client learns of a failure that is not a
// *numberpool.Error, because the cause may contain SQL, paths or other
// internals.
const internalMessage = "internal error: the server failed to handle the request; retry later, or report the X-Request-Id response header"

// retryAfterSeconds is the Retry-After of a SERVICE_UNAVAILABLE response. The
// store's own retries already cover blips shorter than a request, so this
// one covers a database restart, which takes seconds.
const retryAfterSeconds = "2"

// errorResponse is the one error object of the API.
type errorResponse struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Code    numberpool.Code          `json:"code"`
	Message string                   `json:"message"`
	Details []numberpool.ErrorDetail `json:"details"` // never null
}

func internalError() *numberpool.Error {
	return &numberpool.Error{Code: numberpool.CodeInternal, Message: internalMessage}
}

// publicError returns what a client may see of err, and its status. The
// message of a *numberpool.Error is safe to show by that type's contract.
func publicError(err error) (*numberpool.Error, int) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return numberpool.Validation("body", fmt.Sprintf("must be at most %d bytes", tooLarge.Limit),
			"request body too large: the limit is %d bytes", tooLarge.Limit), http.StatusBadRequest
	}

	var e *numberpool.Error
	if !errors.As(err, &e) {
		return internalError(), http.StatusInternalServerError
	}
	status, ok := codeStatus[e.Code]
	if !ok {
		return internalError(), http.StatusInternalServerError
	}

	public := &numberpool.Error{Code: e.Code, Message: e.Message, Details: e.Details}
	if public.Message == "" {
		public.Message = http.StatusText(status)
	}
	if public.Details == nil {
		public.Details = []numberpool.ErrorDetail{}
	}
	return public, status
}

// statusClientClosedRequest is the status that the request log records
// for a request whose client left before the response, as nginx does. The
// client never sees it.
const statusClientClosedRequest = 499

// writeError logs err and writes it as the API's error object, with the
// status of its code. A request that ran out of time gets 503, and one
// whose client left is only logged.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() != nil:
		public := &numberpool.Error{Code: numberpool.CodeServiceUnavailable, Message: fmt.Sprintf(
			"the request took longer than the server allows (%s); narrow it, for a search with filters or a lower page, or retry later",
			s.requestTimeout)}
		s.writeErrorStatus(w, r, http.StatusServiceUnavailable, public, err)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.logger.InfoContext(r.Context(), "client closed the request",
			slog.String("error", err.Error()),
			slog.String("request_id", infoFrom(r.Context()).id))
		w.WriteHeader(statusClientClosedRequest)
	default:
		public, status := publicError(err)
		s.writeErrorStatus(w, r, status, public, err)
	}
}

// writeErrorStatus writes public with the given status, for the responses
// whose status is not the one of their code. err is the full error, for the
// log.
func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, public *numberpool.Error, err error) {
	s.logError(r, status, public.Code, err)
	if status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	writeErrorBody(w, status, public)
}

// logError logs server failures at error level with the whole chain, and
// client errors only at debug level, because the request line already
// records them.
func (s *Server) logError(r *http.Request, status int, code numberpool.Code, err error) {
	info := infoFrom(r.Context())
	if status < http.StatusInternalServerError {
		s.logger.DebugContext(r.Context(), "request rejected",
			slog.String("code", string(code)),
			slog.String("error", err.Error()),
			slog.String("request_id", info.id))
		return
	}
	s.logger.ErrorContext(r.Context(), "request failed",
		slog.String("code", string(code)),
		slog.String("error", err.Error()),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("request_id", info.id))
}

func writeErrorBody(w http.ResponseWriter, status int, e *numberpool.Error) {
	details := e.Details
	if details == nil {
		details = []numberpool.ErrorDetail{}
	}
	body := errorResponse{Error: errorObject{Code: e.Code, Message: e.Message, Details: details}}
	if err := writeJSON(w, status, body); err != nil {
		// encoding/json fails only on values such as channels, functions and
		// NaN, which these string fields cannot hold. The fallback keeps the
		// error shape all the same.
		writeRaw(w, http.StatusInternalServerError,
			[]byte(`{"error":{"code":"INTERNAL_ERROR","message":"internal error","details":[]}}`+"\n"))
	}
}
