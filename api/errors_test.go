package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"numberpool"
)

// faultStore serves from a real store, except for the methods given a
// replacement.
type faultStore struct {
	numberpool.Store
	getNumber func() (numberpool.Number, error)
	ping      func() error
}

func (f *faultStore) GetNumber(ctx context.Context, accountID, e164 string) (numberpool.Number, error) {
	if f.getNumber != nil {
		return f.getNumber()
	}
	return f.Store.GetNumber(ctx, accountID, e164)
}

func (f *faultStore) Ping(ctx context.Context) error {
	if f.ping != nil {
		return f.ping()
	}
	return f.Store.Ping(ctx)
}

// newFaultEnv returns an environment whose GetNumber runs getNumber.
func newFaultEnv(t *testing.T, getNumber func() (numberpool.Number, error)) *testEnv {
	t.Helper()
	return newTestEnv(t, func(s numberpool.Store) numberpool.Store {
		return &faultStore{Store: s, getNumber: getNumber}
	})
}

const internalBodyMessage = "internal error: the server failed to handle the request; retry later, or report the X-Request-Id response header"

func TestErrorCodeStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       numberpool.Code
		wantStatus int
	}{
		{numberpool.CodeValidationFailed, 400},
		{numberpool.CodeReleaseBlocked, 400},
		{numberpool.CodeUnauthorized, 401},
		{numberpool.CodeForbidden, 403},
		{numberpool.CodeNotFound, 404},
		{numberpool.CodeMethodNotAllowed, 405},
		{numberpool.CodeConflict, 409},
		{numberpool.CodeRateLimited, 429},
		{numberpool.CodeInternal, 500},
		{numberpool.CodeServiceUnavailable, 503},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			t.Parallel()
			message := "message of " + string(tt.code)
			env := newFaultEnv(t, func() (numberpool.Number, error) {
				return numberpool.Number{}, fmt.Errorf("wrapped by the store: %w",
					&numberpool.Error{Code: tt.code, Message: message, Err: errors.New("cause")})
			})

			rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
			checkResponse(t, rec, tt.wantStatus, errorBody(tt.code, message))
		})
	}
}

func TestErrorDetailsAreKept(t *testing.T) {
	t.Parallel()
	blocked := &numberpool.Error{
		Code:    numberpool.CodeReleaseBlocked,
		Message: "number +14155551234 cannot be released: 2 blockers (see details)",
		Details: []numberpool.ErrorDetail{
			{Field: "active_calls", Reason: "The number has 2 calls in progress"},
			{Field: "port_out_hold", Reason: "A port-out of the number is in progress"},
		},
	}
	env := newFaultEnv(t, func() (numberpool.Number, error) { return numberpool.Number{}, blocked })

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeReleaseBlocked, blocked.Message,
		[2]string{"active_calls", "The number has 2 calls in progress"},
		[2]string{"port_out_hold", "A port-out of the number is in progress"}))
}

func TestUnknownCodeIsInternal(t *testing.T) {
	t.Parallel()
	env := newFaultEnv(t, func() (numberpool.Number, error) {
		return numberpool.Number{}, &numberpool.Error{Code: "TEAPOT", Message: "short and stout"}
	})

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusInternalServerError, errorBody(numberpool.CodeInternal, internalBodyMessage))
}

// An error that is not a *numberpool.Error reaches the client only as a
// generic message, and the log as the whole chain.
func TestInternalErrorHidesCause(t *testing.T) {
	t.Parallel()
	const cause = "database disk image is malformed at /var/lib/secret.db"
	env := newFaultEnv(t, func() (numberpool.Number, error) {
		return numberpool.Number{}, fmt.Errorf("select number: %w", errors.New(cause))
	})

	req := httptest.NewRequest(http.MethodGet, numberURL(accountID, number, ""), nil)
	req.Header.Set("Authorization", "Bearer "+env.key)
	req.Header.Set("X-Request-Id", "req-500")
	rec := env.send(req)

	checkResponse(t, rec, http.StatusInternalServerError, errorBody(numberpool.CodeInternal, internalBodyMessage))
	if strings.Contains(rec.Body.String(), "malformed") {
		t.Errorf("body leaks the cause: %s", rec.Body.String())
	}

	failures := env.logs.recordsWithMessage(t, "request failed")
	if len(failures) != 1 {
		t.Fatalf("got %d %q log records, want 1; logs:\n%s", len(failures), "request failed", env.logs.String())
	}
	record := failures[0]
	wantChain := "get number +14155551234 of account acc_123abc: select number: " + cause
	checks := map[string]any{
		"level": "ERROR", "error": wantChain, "method": "GET",
		"path": "/v1/account/acc_123abc/numbers/+14155551234", "request_id": "req-500", "code": "INTERNAL_ERROR",
	}
	for attr, want := range checks {
		if record[attr] != want {
			t.Errorf("log attribute %s = %v, want %v", attr, record[attr], want)
		}
	}
}

// Client errors are logged at info level at most: they are the client's
// failure, not the server's.
func TestClientErrorsLogBelowWarn(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	env.do(t, http.MethodGet, numberURL(accountID, "+14155550000", ""), env.key)
	env.do(t, http.MethodGet, numberURL(accountID, "bad", ""), env.key)
	env.do(t, http.MethodGet, numberURL(accountID, number, ""), "")
	env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.otherKey)
	env.do(t, http.MethodGet, "/nowhere", "")
	env.do(t, http.MethodPut, numberURL(accountID, number, ""), env.key)

	records := env.logs.records(t)
	if len(records) == 0 {
		t.Fatal("no log records")
	}
	for _, r := range records {
		if r["level"] == "WARN" || r["level"] == "ERROR" {
			t.Errorf("client error logged at %v: %v", r["level"], r)
		}
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	t.Parallel()
	env := newFaultEnv(t, func() (numberpool.Number, error) { panic("index out of range in a test") })

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusInternalServerError, errorBody(numberpool.CodeInternal, internalBodyMessage))

	panics := env.logs.recordsWithMessage(t, "handler panicked")
	if len(panics) != 1 {
		t.Fatalf("got %d %q log records, want 1; logs:\n%s", len(panics), "handler panicked", env.logs.String())
	}
	if panics[0]["level"] != "ERROR" {
		t.Errorf("panic record level = %v, want ERROR", panics[0]["level"])
	}
	if panics[0]["panic"] != "index out of range in a test" {
		t.Errorf("panic record value = %v, want the panic value", panics[0]["panic"])
	}
	if panics[0]["request_id"] != rec.Header().Get("X-Request-Id") {
		t.Errorf("panic record request_id = %v, want %s", panics[0]["request_id"], rec.Header().Get("X-Request-Id"))
	}

	requests := env.logs.recordsWithMessage(t, "request")
	if len(requests) != 1 {
		t.Fatalf("got %d request records, want 1", len(requests))
	}
	if requests[0]["status"] != float64(500) {
		t.Errorf("request record status = %v, want 500", requests[0]["status"])
	}
}

// The release routes take no body, so the body cap is tested on a route
// added for the test that reads its body.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.server.handle("POST /test/body", func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]int{"bytes": len(body)})
	})

	t.Run("at limit", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/test/body", strings.NewReader(strings.Repeat("a", maxBodyBytes)))
		checkResponse(t, env.send(req), http.StatusOK, `{"bytes": 1048576}`)
	})
	t.Run("over limit", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/test/body", strings.NewReader(strings.Repeat("a", maxBodyBytes+1)))
		checkResponse(t, env.send(req), http.StatusBadRequest, errorBody(numberpool.CodeValidationFailed,
			"request body too large: the limit is 1048576 bytes", [2]string{"body", "must be at most 1048576 bytes"}))
	})
}

// A request whose work outlasts the request timeout gets 503 with a
// message that names the timeout, and its store calls end with it. The
// timeout here has passed before the first store call.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env.server = New(Options{Store: env.store, Clock: env.clock, Logger: logger, RequestTimeout: time.Nanosecond})

	rec := env.do(t, http.MethodGet, "/v1/account/"+accountID+"/inventory/numbers?country=US&contains=9*9*9", env.key)

	checkResponse(t, rec, http.StatusServiceUnavailable, errorBody(numberpool.CodeServiceUnavailable,
		"the request took longer than the server allows (1ns); narrow it, for a search with filters or a lower page, or retry later"))
	if got := rec.Header().Get("Retry-After"); got != retryAfterSeconds {
		t.Errorf("Retry-After = %q, want %q", got, retryAfterSeconds)
	}
}

// A request whose client left is logged at info level with status 499, not
// as a server failure.
func TestClientClosedRequest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v1/account/"+accountID+"/inventory/numbers?country=US", nil)
	req.Header.Set("Authorization", "Bearer "+env.key)

	rec := env.send(req)

	if rec.Code != statusClientClosedRequest {
		t.Errorf("status = %d, want %d", rec.Code, statusClientClosedRequest)
	}
	if failures := env.logs.recordsWithMessage(t, "request failed"); len(failures) != 0 {
		t.Errorf("got %d %q log records, want none; logs:\n%s", len(failures), "request failed", env.logs.String())
	}
	closed := env.logs.recordsWithMessage(t, "client closed the request")
	if len(closed) != 1 || closed[0]["level"] != "INFO" {
		t.Errorf("got %v, want one %q record at INFO; logs:\n%s", closed, "client closed the request", env.logs.String())
	}
}
