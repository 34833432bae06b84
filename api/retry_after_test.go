package api

import (
	"errors"
	"net/http"
	"testing"

	"numberpool"
)

// TestRetryAfter checks that only SERVICE_UNAVAILABLE responses ask the
// client to come back later, whichever route produced them.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	unavailable := &numberpool.Error{Code: numberpool.CodeServiceUnavailable, Message: "the database is unavailable: try again later"}
	tests := []struct {
		name       string
		getNumber  func() (numberpool.Number, error)
		ping       func() error
		target     string
		wantStatus int
		wantHeader string
	}{
		{
			name:       "store unavailable",
			getNumber:  func() (numberpool.Number, error) { return numberpool.Number{}, unavailable },
			target:     numberURL(accountID, number, ""),
			wantStatus: http.StatusServiceUnavailable,
			wantHeader: retryAfterSeconds,
		},
		{
			name:       "healthz ping fails",
			ping:       func() error { return errors.New("connection refused") },
			target:     "/healthz",
			wantStatus: http.StatusServiceUnavailable,
			wantHeader: retryAfterSeconds,
		},
		{
			name:       "internal error",
			getNumber:  func() (numberpool.Number, error) { return numberpool.Number{}, errors.New("disk full") },
			target:     numberURL(accountID, number, ""),
			wantStatus: http.StatusInternalServerError,
		},
		{
			name:       "not found",
			target:     numberURL(accountID, "+14155550199", ""),
			wantStatus: http.StatusNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, func(s numberpool.Store) numberpool.Store {
				return &faultStore{Store: s, getNumber: tt.getNumber, ping: tt.ping}
			})
			rec := env.do(t, http.MethodGet, tt.target, env.key)

			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.wantHeader {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantHeader)
			}
		})
	}
}
