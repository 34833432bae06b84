package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"numberpool"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	target := numberURL(accountID, number, "/release-preview")

	missing := errorBody(numberpool.CodeUnauthorized, "missing API key: send the header Authorization: Bearer <key>")
	scheme := errorBody(numberpool.CodeUnauthorized, "unsupported authorization scheme: send the header Authorization: Bearer <key>")
	empty := errorBody(numberpool.CodeUnauthorized, "missing API key after Bearer: send the header Authorization: Bearer <key>")
	unknown := errorBody(numberpool.CodeUnauthorized, "invalid API key: no account has the key sent in the Authorization header")
	twice := errorBody(numberpool.CodeUnauthorized, "invalid Authorization: send exactly one Authorization header, Bearer <key>")
	forbidden := errorBody(numberpool.CodeForbidden, `forbidden: this API key does not give access to account "acc_123abc"`)

	tests := []struct {
		name          string
		headers       []string // values of Authorization
		wantStatus    int
		wantChallenge string // WWW-Authenticate
		wantBody      any
	}{
		{"missing", nil, 401, "Bearer", missing},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, 401, "Bearer", scheme},
		{"key without scheme", []string{env.key}, 401, "Bearer", scheme},
		{"empty header", []string{""}, 401, "Bearer", scheme},
		{"scheme alone", []string{"Bearer"}, 401, "Bearer", empty},
		{"empty key", []string{"Bearer "}, 401, "Bearer", empty},
		{"unknown key", []string{"Bearer tvx_sk_live_unknown"}, 401, `Bearer error="invalid_token"`, unknown},
		{"key in other case", []string{"Bearer " + strings.ToUpper(env.key)}, 401, `Bearer error="invalid_token"`, unknown},
		{"key with trailing space", []string{"Bearer " + env.key + " "}, 401, `Bearer error="invalid_token"`, unknown},
		{"two headers", []string{"Bearer " + env.key, "Bearer " + env.key}, 401, "Bearer", twice},
		{"other account", []string{"Bearer " + env.otherKey}, 403, "", forbidden},
		{"lower case scheme", []string{"bearer " + env.key}, 200, "", nil},
		{"upper case scheme", []string{"BEARER " + env.key}, 200, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			for _, v := range tt.headers {
				req.Header.Add("Authorization", v)
			}
			rec := env.send(req)

			if tt.wantBody != nil {
				checkResponse(t, rec, tt.wantStatus, tt.wantBody)
			} else if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantChallenge)
			}
		})
	}

	// The hint reaches the client as written, not as \u003ckey\u003e.
	rec := env.do(t, http.MethodGet, target, "")
	if !strings.Contains(rec.Body.String(), "Authorization: Bearer <key>") {
		t.Errorf("body = %s, want the hint Authorization: Bearer <key> unescaped", rec.Body.String())
	}

	// No log line, at any level, contains a key.
	logs := env.logs.String()
	for _, key := range []string{env.key, env.otherKey, "tvx_sk_live_unknown"} {
		if strings.Contains(logs, key) {
			t.Errorf("logs contain the API key %s", key)
		}
	}
}

// Authentication comes before any other check, so a request without a valid
// key learns nothing about the number, the path or the query.
func TestAuthenticationComesFirst(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	targets := []struct {
		name, method, target string
	}{
		{"invalid number", http.MethodGet, numberURL(accountID, "14155551234", "")},
		{"missing number", http.MethodGet, numberURL(accountID, "+14155550000", "")},
		{"invalid query", http.MethodGet, "/v1/account/acc_123abc/numbers?page=0"},
		{"invalid account", http.MethodGet, "/v1/account/not-an-account/numbers"},
		{"release", http.MethodDelete, numberURL(accountID, number, "")},
		{"cancel", http.MethodPost, numberURL(accountID, number, "/cancel-release")},
	}
	for _, tt := range targets {
		t.Run(tt.name+"/no key", func(t *testing.T) {
			rec := env.do(t, tt.method, tt.target, "")
			checkResponse(t, rec, http.StatusUnauthorized, errorBody(numberpool.CodeUnauthorized,
				"missing API key: send the header Authorization: Bearer <key>"))
		})
		t.Run(tt.name+"/other key", func(t *testing.T) {
			rec := env.do(t, tt.method, tt.target, env.otherKey)
			if rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403 (body %s)", rec.Code, rec.Body.String())
			}
		})
	}

	// The number was never touched.
	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	if rec.Code != http.StatusOK {
		t.Errorf("number after rejected requests: status %d, want 200", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `"status":"active"`) {
		t.Errorf("number after rejected requests: body %s, want status active", rec.Body.String())
	}
}
