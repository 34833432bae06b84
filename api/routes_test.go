package api

import (
	"net/http"
	"testing"

	"numberpool"
)

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	tests := []struct {
		name, method, target, path string
	}{
		{"root", http.MethodGet, "/", "/"},
		{"unknown", http.MethodGet, "/v2/things", "/v2/things"},
		{"under number", http.MethodGet, numberURL(accountID, number, "/extra"), "/v1/account/acc_123abc/numbers/+14155551234/extra"},
		{"trailing slash", http.MethodGet, "/healthz/", "/healthz/"},
		{"double slash", http.MethodGet, "/v1//account/acc_123abc/numbers", "/v1//account/acc_123abc/numbers"},
		{"dot segment", http.MethodGet, "/v1/./healthz", "/v1/./healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, tt.method, tt.target, env.key)
			checkResponse(t, rec, http.StatusNotFound, errorBody(numberpool.CodeNotFound, "no route for GET "+tt.path))
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("Location = %q, want no redirect", loc)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	tests := []struct {
		name, method, target, path, allow string
	}{
		{"number", http.MethodPut, numberURL(accountID, number, ""),
			"/v1/account/acc_123abc/numbers/+14155551234", "GET, HEAD, PATCH, DELETE"},
		{"preview", http.MethodPost, numberURL(accountID, number, "/release-preview"),
			"/v1/account/acc_123abc/numbers/+14155551234/release-preview", "GET, HEAD"},
		{"cancel", http.MethodGet, numberURL(accountID, number, "/cancel-release"),
			"/v1/account/acc_123abc/numbers/+14155551234/cancel-release", "POST"},
		{"list", http.MethodPost, "/v1/account/acc_123abc/numbers", "/v1/account/acc_123abc/numbers", "GET, HEAD"},
		{"healthz", http.MethodDelete, "/healthz", "/healthz", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, tt.method, tt.target, env.key)
			checkResponse(t, rec, http.StatusMethodNotAllowed, errorBody(numberpool.CodeMethodNotAllowed,
				"method "+tt.method+" is not allowed on "+tt.path+": allowed methods are "+tt.allow,
				[2]string{"method", "must be one of " + tt.allow}))
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}
