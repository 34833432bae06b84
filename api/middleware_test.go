package api

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	longest := strings.Repeat("x", 64)

	tests := []struct {
		name   string
		given  string
		wantID string // empty: a generated id
	}{
		{"absent", "", ""},
		{"short", "abc-123", "abc-123"},
		{"longest kept", longest, longest},
		{"too long", longest + "x", ""},
		{"space", "abc 123", ""},
		{"non-ASCII", "abc-ü", ""},
		{"control", "abc\x7f", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, numberURL(accountID, number, ""), nil)
			req.Header.Set("Authorization", "Bearer "+env.key)
			if tt.given != "" {
				req.Header.Set("X-Request-Id", tt.given)
			}
			rec := env.send(req)

			got := rec.Header().Get("X-Request-Id")
			if tt.wantID != "" && got != tt.wantID {
				t.Errorf("X-Request-Id = %q, want %q", got, tt.wantID)
			}
			if tt.wantID == "" && !generatedID.MatchString(got) {
				t.Errorf("X-Request-Id = %q, want 32 generated hex digits", got)
			}
			if !hasRequestRecord(t, env, got) {
				t.Errorf("no request log record with request_id %q; logs:\n%s", got, env.logs.String())
			}
		})
	}
}

func hasRequestRecord(t *testing.T, env *testEnv, id string) bool {
	t.Helper()
	for _, r := range env.logs.recordsWithMessage(t, "request") {
		if r["request_id"] == id {
			return true
		}
	}
	return false
}

// Every request logs one line with its method, route pattern, status,
// duration, account and request id, including those that fail before
// routing.
func TestRequestLogLine(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	tests := []struct {
		name, method, target, key string
		wantRoute                 string
		wantStatus                float64
		wantAccount               string
	}{
		{"preview", http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key,
			"GET /v1/account/{account_id}/numbers/{e164}/release-preview", 200, accountID},
		{"forbidden", http.MethodDelete, numberURL(accountID, number, ""), env.otherKey,
			"DELETE /v1/account/{account_id}/numbers/{e164}", 403, otherAccountID},
		{"no key", http.MethodGet, "/v1/account/acc_123abc/numbers", "",
			"GET /v1/account/{account_id}/numbers", 401, ""},
		{"empty number", http.MethodGet, "/v1/account/acc_123abc/numbers//release-preview", env.key,
			"invalid_number_path", 400, accountID},
		{"not found", http.MethodGet, "/nowhere", "", "not_found", 404, ""},
		{"method", http.MethodPatch, "/healthz", "", "method_not_allowed", 405, ""},
		{"healthz", http.MethodGet, "/healthz", "", "GET /healthz", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			}
			req.Header.Set("X-Request-Id", "log-"+strings.ReplaceAll(tt.name, " ", "-"))
			env.send(req)

			var record map[string]any
			for _, r := range env.logs.recordsWithMessage(t, "request") {
				if r["request_id"] == req.Header.Get("X-Request-Id") {
					record = r
				}
			}
			if record == nil {
				t.Fatalf("no request log record; logs:\n%s", env.logs.String())
			}
			want := map[string]any{"level": "INFO", "method": tt.method, "route": tt.wantRoute,
				"status": tt.wantStatus, "account_id": tt.wantAccount}
			for attr, v := range want {
				if record[attr] != v {
					t.Errorf("log attribute %s = %v, want %v", attr, record[attr], v)
				}
			}
			if _, ok := record["duration_ms"].(float64); !ok {
				t.Errorf("log attribute duration_ms = %v, want a number", record["duration_ms"])
			}
		})
	}
}
