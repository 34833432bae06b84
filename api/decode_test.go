package api

import (
	"net/http"
	"strings"
	"testing"

	"numberpool"
)

// TestStrictBody sends malformed bodies to a purchase and to a trunk
// creation, which share one decoder, and checks the 400 and its detail.
func TestStrictBody(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber("+14155550001"), availableNumber("+14155550002"))

	tests := []struct {
		name    string
		trunk   bool // the body goes to POST .../trunks instead of a purchase
		body    string
		field   string
		message string // a part of the message
	}{
		{"duplicate key", false, `{"e164":"+14155550001","country":"US","e164":"+14155550002"}`,
			"e164", `duplicate field "e164"`},
		{"upper-case key", false, `{"E164":"+14155550001","country":"US"}`,
			"E164", `unknown field "E164": the request takes e164 and country`},
		{"mixed-case key", true, `{"Name":"T","auth_type":"ip"}`,
			"Name", `unknown field "Name"`},
		{"invalid UTF-8", false, "{\"e164\":\"+14155550001\",\"country\":\"U\xffS\"}",
			"body", "not valid UTF-8"},
		{"NUL in value", false, `{"e164":"+14155550001\u0000","country":"US"}`,
			"e164", "control character U+0000"},
		{"NUL in trunk name", true, `{"name":"T\u0000","auth_type":"ip"}`,
			"name", "control character U+0000"},
		{"control in array", true, `{"name":"T","auth_type":"ip","origination_uris":["sip:a\n"]}`,
			"origination_uris[0]", "control character U+000A"},
		{"array body", false, `[]`, "body", "expected a JSON object with e164 and country, got a JSON array"},
		{"null body", false, `null`, "body", "expected a JSON object with e164 and country, got null"},
		{"string body", true, `"x"`, "body", "got a JSON string"},
		{"wrong type", false, `{"e164":["+14155550001"],"country":"US"}`,
			"e164", "invalid e164: expected a JSON string, got a JSON array"},
		{"truncated", false, `{"e164":"+14155550001"`, "body", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := purchaseURL(accountID)
			if tt.trunk {
				target = "/v1/account/" + accountID + "/trunks"
			}
			rec := env.doJSON(t, http.MethodPost, target, env.key, tt.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400 (body %s)", rec.Code, rec.Body.String())
			}
			e := decodeObjectBody(t, rec)["error"].(map[string]any)
			if e["code"] != string(numberpool.CodeValidationFailed) {
				t.Errorf("code = %v, want VALIDATION_FAILED", e["code"])
			}
			msg, _ := e["message"].(string)
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
			if strings.Contains(msg, "Go value") || strings.Contains(msg, "api.") || strings.Contains(msg, "*string") {
				t.Errorf("message %q names a Go type", msg)
			}
			details, _ := e["details"].([]any)
			if len(details) != 1 || details[0].(map[string]any)["field"] != tt.field {
				t.Errorf("details = %v, want one for %s", details, tt.field)
			}
		})
	}
}

// TestStrictBodyAcceptsValid checks that a well-formed purchase still
// succeeds through the strict decoder.
func TestStrictBodyAcceptsValid(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber("+14155550001"))

	rec := env.doJSON(t, http.MethodPost, purchaseURL(accountID), env.key, `{"e164": "+14155550001", "country": "US"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201 (body %s)", rec.Code, rec.Body.String())
	}
}
