package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"numberpool"
)

// doJSON sends a request with a JSON body through the server, with the
// account's key.
func (e *testEnv) doJSON(tb testing.TB, method, target, key, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.send(req)
}

// decodeObjectBody decodes a JSON object response.
func decodeObjectBody(tb testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		tb.Fatalf("decode body %q: %v", rec.Body.String(), err)
	}
	return body
}

var trunkIDPattern = regexp.MustCompile(`^trunk_[0-9a-z]{12}$`)

// createTrunk creates a trunk of accountID through the API and returns its
// id.
func (e *testEnv) createTrunk(tb testing.TB, name string) string {
	tb.Helper()
	rec := e.doJSON(tb, http.MethodPost, "/v1/account/"+accountID+"/trunks", e.key,
		`{"name": "`+name+`", "auth_type": "ip", "termination_uri": "sip:pbx.example.com:5060"}`)
	if rec.Code != http.StatusCreated {
		tb.Fatalf("create trunk: status %d, body %s", rec.Code, rec.Body.String())
	}
	return decodeObjectBody(tb, rec)["id"].(string)
}

func TestTrunkLifecycle(t *testing.T) {
	env := newTestEnv(t)
	trunks := "/v1/account/" + accountID + "/trunks"

	rec := env.doJSON(t, http.MethodPost, trunks, env.key, `{"name": "Production Trunk", "auth_type": "ip",
		"termination_uri": "sip:pbx.example.com:5060", "origination_uris": [], "max_channels": 100}`)
	id, _ := decodeObjectBody(t, rec)["id"].(string)
	if !trunkIDPattern.MatchString(id) {
		t.Fatalf("trunk id = %q, want trunk_ and 12 lower-case letters or digits", id)
	}
	domain := strings.ReplaceAll(id, "_", "-") + ".sip.tryvox.io"
	created := `{"id": "` + id + `", "name": "Production Trunk", "auth_type": "ip",
		"sip_domain": "` + domain + `", "termination_uri": "sip:pbx.example.com:5060",
		"origination_uris": [], "max_channels": 100, "status": "active",
		"created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z"}`
	checkResponse(t, rec, http.StatusCreated, created)

	checkResponse(t, env.do(t, http.MethodGet, trunks+"/"+id, env.key), http.StatusOK, created)
	checkResponse(t, env.do(t, http.MethodGet, trunks, env.key), http.StatusOK, `{"data": [`+created+`],
		"pagination": {"total": 1, "count": 1, "per_page": 20, "current_page": 1, "total_pages": 1}}`)

	env.clock.Advance(time.Minute)
	rec = env.doJSON(t, http.MethodPut, trunks+"/"+id, env.key, `{"name": "Main SIP trunk", "auth_type": "credential",
		"origination_uris": ["sip:203.0.113.7", "sips:edge@[2001:db8::1]:5061;transport=tls"]}`)
	checkResponse(t, rec, http.StatusOK, `{"id": "`+id+`", "name": "Main SIP trunk", "auth_type": "credential",
		"sip_domain": "`+domain+`", "termination_uri": null,
		"origination_uris": ["sip:203.0.113.7", "sips:edge@[2001:db8::1]:5061;transport=tls"], "max_channels": 0,
		"status": "active", "created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:46:00Z"}`)

	// Another account's key cannot reach the trunk, and another account's
	// path does not hold it.
	rec = env.do(t, http.MethodGet, "/v1/account/"+otherAccountID+"/trunks/"+id, env.otherKey)
	checkResponse(t, rec, http.StatusNotFound, errorBody(numberpool.CodeNotFound, "trunk "+id+" not found in your account"))
	rec = env.do(t, http.MethodGet, trunks+"/"+id, env.otherKey)
	if rec.Code != http.StatusForbidden {
		t.Errorf("GET with another account's key: status %d, want 403", rec.Code)
	}

	rec = env.do(t, http.MethodDelete, trunks+"/"+id, env.key)
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Errorf("DELETE trunk: status %d, body %q, want 204 and no body", rec.Code, rec.Body.String())
	}
	rec = env.do(t, http.MethodGet, trunks+"/"+id, env.key)
	checkResponse(t, rec, http.StatusNotFound, errorBody(numberpool.CodeNotFound, "trunk "+id+" not found in your account"))
	rec = env.do(t, http.MethodDelete, trunks+"/"+id, env.key)
	checkResponse(t, rec, http.StatusNotFound, errorBody(numberpool.CodeNotFound, "trunk "+id+" not found in your account"))
}

func TestTrunkValidation(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name    string
		body    string
		details [][2]string
	}{
		{"no name", `{"auth_type": "ip"}`, [][2]string{{"name", "is required"}}},
		{"blank name", `{"name": "  ", "auth_type": "ip"}`, [][2]string{{"name", "is required"}}},
		{"auth type", `{"name": "T", "auth_type": "password"}`, [][2]string{{"auth_type", "must be ip or credential"}}},
		{"no auth type", `{"name": "T"}`, [][2]string{{"auth_type", "must be ip or credential"}}},
		{"termination http", `{"name": "T", "auth_type": "ip", "termination_uri": "http://pbx.example.com"}`,
			[][2]string{{"termination_uri", "must be a sip: URI such as sip:pbx.example.com:5060"}}},
		{"termination no host", `{"name": "T", "auth_type": "ip", "termination_uri": "sip:"}`,
			[][2]string{{"termination_uri", "must be a sip: URI such as sip:pbx.example.com:5060"}}},
		{"termination bad port", `{"name": "T", "auth_type": "ip", "termination_uri": "sip:pbx.example.com:70000"}`,
			[][2]string{{"termination_uri", "must be a sip: URI such as sip:pbx.example.com:5060"}}},
		{"origination", `{"name": "T", "auth_type": "ip", "origination_uris": ["sip:ok.example.com", "pbx.example.com"]}`,
			[][2]string{{"origination_uris[1]", "must be a sip: URI such as sip:pbx.example.com:5060"}}},
		{"origination not array", `{"name": "T", "auth_type": "ip", "origination_uris": "sip:a.example.com"}`,
			[][2]string{{"origination_uris", "must be a JSON array of strings"}}},
		{"negative channels", `{"name": "T", "auth_type": "ip", "max_channels": -1}`,
			[][2]string{{"max_channels", "must be 0 (unlimited) or more"}}},
		{"channels type", `{"name": "T", "auth_type": "ip", "max_channels": "10"}`,
			[][2]string{{"max_channels", "must be a JSON integer"}}},
		{"unknown field", `{"name": "T", "auth_type": "ip", "codec": "g711"}`,
			[][2]string{{"codec", "is not a field of this request"}}},
		{"not an object", `["name"]`, [][2]string{{"body", "must be a JSON object"}}},
		{"empty body", ``, [][2]string{{"body", "must be a JSON object"}}},
		{"every error", `{"auth_type": "x", "max_channels": -5}`, [][2]string{
			{"name", "is required"}, {"auth_type", "must be ip or credential"}, {"max_channels", "must be 0 (unlimited) or more"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodPost, http.MethodPut} {
				target := "/v1/account/" + accountID + "/trunks"
				if method == http.MethodPut {
					target += "/trunk_any"
				}
				rec := env.doJSON(t, method, target, env.key, tt.body)
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("%s: status %d, want 400 (body %s)", method, rec.Code, rec.Body.String())
				}
				body := decodeObjectBody(t, rec)["error"].(map[string]any)
				if body["code"] != string(numberpool.CodeValidationFailed) {
					t.Errorf("%s: code %v, want VALIDATION_FAILED", method, body["code"])
				}
				var got [][2]string
				for _, d := range body["details"].([]any) {
					detail := d.(map[string]any)
					got = append(got, [2]string{detail["field"].(string), detail["reason"].(string)})
				}
				if len(got) != len(tt.details) {
					t.Fatalf("%s: details %v, want %v", method, got, tt.details)
				}
				for i := range got {
					if got[i] != tt.details[i] {
						t.Errorf("%s: detail %d = %v, want %v", method, i, got[i], tt.details[i])
					}
				}
			}
		})
	}
}

func TestTrunkListPaging(t *testing.T) {
	env := newTestEnv(t)
	for _, name := range []string{"A", "B", "C"} {
		env.createTrunk(t, name)
		env.clock.Advance(time.Second)
	}

	rec := env.do(t, http.MethodGet, "/v1/account/"+accountID+"/trunks?page=2&per_page=2", env.key)
	body := decodeObjectBody(t, rec)
	data := body["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["name"] != "C" {
		t.Errorf("page 2 data = %v, want trunk C alone", data)
	}
	wantPagination := map[string]any{"total": 3.0, "count": 1.0, "per_page": 2.0, "current_page": 2.0, "total_pages": 2.0}
	if got := body["pagination"]; !equalJSON(got, wantPagination) {
		t.Errorf("pagination = %v, want %v", got, wantPagination)
	}

	rec = env.do(t, http.MethodGet, "/v1/account/"+accountID+"/trunks?per_page=101", env.key)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("per_page=101: status %d, want 400", rec.Code)
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestApplicationLifecycle(t *testing.T) {
	env := newTestEnv(t)
	apps := "/v1/account/" + accountID + "/applications"

	rec := env.doJSON(t, http.MethodPost, apps, env.key, `{"name": "IVR", "answer_url": "https://example.com/answer"}`)
	id, _ := decodeObjectBody(t, rec)["id"].(string)
	if !regexp.MustCompile(`^app_[0-9a-z]{12}$`).MatchString(id) {
		t.Fatalf("application id = %q, want app_ and 12 lower-case letters or digits", id)
	}
	created := `{"id": "` + id + `", "name": "IVR", "answer_url": "https://example.com/answer", "answer_method": "POST",
		"hangup_url": null, "status_callback_url": null,
		"created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z"}`
	checkResponse(t, rec, http.StatusCreated, created)
	checkResponse(t, env.do(t, http.MethodGet, apps+"/"+id, env.key), http.StatusOK, created)
	checkResponse(t, env.do(t, http.MethodGet, apps, env.key), http.StatusOK, `{"data": [`+created+`],
		"pagination": {"total": 1, "count": 1, "per_page": 20, "current_page": 1, "total_pages": 1}}`)

	rec = env.doJSON(t, http.MethodPut, apps+"/"+id, env.key, `{"name": "IVR", "answer_url": "https://example.com/a",
		"answer_method": "GET", "hangup_url": "https://example.com/h", "status_callback_url": "http://example.com/s"}`)
	checkResponse(t, rec, http.StatusOK, `{"id": "`+id+`", "name": "IVR", "answer_url": "https://example.com/a",
		"answer_method": "GET", "hangup_url": "https://example.com/h", "status_callback_url": "http://example.com/s",
		"created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z"}`)

	rec = env.doJSON(t, http.MethodPost, apps, env.key, `{"name": "X", "answer_url": "ftp://example.com/a",
		"answer_method": "PUT", "hangup_url": "https://"}`)
	checkResponse(t, rec, http.StatusBadRequest, errorBodyOf(t, rec, numberpool.CodeValidationFailed,
		[2]string{"answer_url", "must be an http or https URL with a host"},
		[2]string{"answer_method", "must be GET or POST"},
		[2]string{"hangup_url", "must be an http or https URL with a host"}))

	rec = env.do(t, http.MethodDelete, apps+"/"+id, env.key)
	if rec.Code != http.StatusNoContent {
		t.Errorf("DELETE application: status %d, want 204", rec.Code)
	}
	rec = env.do(t, http.MethodGet, apps+"/"+id, env.key)
	checkResponse(t, rec, http.StatusNotFound, errorBody(numberpool.CodeNotFound, "application "+id+" not found in your account"))
}

// errorBodyOf returns the error body with rec's own message, for checks of
// the code and details only.
func errorBodyOf(tb testing.TB, rec *httptest.ResponseRecorder, code numberpool.Code, details ...[2]string) map[string]any {
	tb.Helper()
	message, _ := decodeObjectBody(tb, rec)["error"].(map[string]any)["message"].(string)
	return errorBody(code, message, details...)
}
