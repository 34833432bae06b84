package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"numberpool"
)

func TestHealthz(t *testing.T) {
	t.Parallel()

	t.Run("ok", func(t *testing.T) {
		env := newTestEnv(t)
		rec := env.do(t, http.MethodGet, "/healthz", "")
		checkResponse(t, rec, http.StatusOK, `{"status": "ok"}`)
	})
	t.Run("store closed", func(t *testing.T) {
		env := newTestEnv(t)
		env.store.Close()

		rec := env.do(t, http.MethodGet, "/healthz", "")
		checkResponse(t, rec, http.StatusServiceUnavailable, errorBody(numberpool.CodeServiceUnavailable,
			"service unavailable: the database does not answer"))
		if n := len(env.logs.recordsWithMessage(t, "request failed")); n != 1 {
			t.Errorf("got %d error log records, want 1; logs:\n%s", n, env.logs.String())
		}
	})
	t.Run("ping fails", func(t *testing.T) {
		env := newTestEnv(t, func(s numberpool.Store) numberpool.Store {
			return &faultStore{Store: s, ping: func() error { return errors.New("connection refused") }}
		})
		rec := env.do(t, http.MethodGet, "/healthz", "")
		checkResponse(t, rec, http.StatusServiceUnavailable, errorBody(numberpool.CodeServiceUnavailable,
			"service unavailable: the database does not answer"))
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	for range 2 {
		env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	}
	env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), "")
	env.do(t, http.MethodGet, "/nowhere", "")

	// A second server has its own registry: building it does not panic on a
	// duplicate registration, and it counts only its own requests.
	other := New(Options{Store: env.store})

	rec := env.do(t, http.MethodGet, "/metrics", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	const preview = `route="GET /v1/account/{account_id}/numbers/{e164}/release-preview"`
	for _, want := range []string{
		`numberpool_http_requests_total{code="200",` + preview + `} 2`,
		`numberpool_http_requests_total{code="401",` + preview + `} 1`,
		`numberpool_http_requests_total{code="404",route="not_found"} 1`,
		`numberpool_http_request_duration_seconds_count{` + preview + `} 3`,
		`numberpool_http_request_duration_seconds_bucket{` + preview + `,le="+Inf"} 3`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	otherRec := httptest.NewRecorder()
	other.ServeHTTP(otherRec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if strings.Contains(otherRec.Body.String(), "release-preview") {
		t.Errorf("second server's metrics count the first server's requests")
	}
}
