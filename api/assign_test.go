package api

import (
	"net/http"
	"testing"
	"time"

	"numberpool"
)

// createApplication creates an application of accountID through the API and
// returns its id.
func (e *testEnv) createApplication(tb testing.TB, name string) string {
	tb.Helper()
	rec := e.doJSON(tb, http.MethodPost, "/v1/account/"+accountID+"/applications", e.key,
		`{"name": "`+name+`", "answer_url": "https://example.com/answer"}`)
	if rec.Code != http.StatusCreated {
		tb.Fatalf("create application: status %d, body %s", rec.Code, rec.Body.String())
	}
	return decodeObjectBody(tb, rec)["id"].(string)
}

func TestAssignAndUnassign(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	trunkID := env.createTrunk(t, "Main SIP trunk")
	appID := env.createApplication(t, "IVR")
	env.clock.Advance(time.Minute)

	rec := env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "trunk_id": "`+trunkID+`", "application_id": null,
		"status": "active", "updated_at": "2026-04-09T11:46:00Z"}`)

	rec = env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/application"), env.key, `{"application_id": "`+appID+`"}`)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "trunk_id": null, "application_id": "`+appID+`",
		"status": "active", "updated_at": "2026-04-09T11:46:00Z"}`)

	rec = env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)
	if got := decodeObjectBody(t, rec)["application_id"]; got != nil {
		t.Errorf("application_id after assigning a trunk = %v, want null", got)
	}
	rec = env.do(t, http.MethodDelete, numberURL(accountID, number, "/application"), env.key)
	if got := decodeObjectBody(t, rec)["trunk_id"]; got != trunkID {
		t.Errorf("trunk_id after unassigning the application = %v, want %s kept", got, trunkID)
	}
	rec = env.do(t, http.MethodDelete, numberURL(accountID, number, "/assign"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "trunk_id": null, "application_id": null,
		"status": "active", "updated_at": "2026-04-09T11:46:00Z"}`)
}

func TestAssignRejects(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	otherRec := env.doJSON(t, http.MethodPost, "/v1/account/"+otherAccountID+"/trunks", env.otherKey,
		`{"name": "Not yours", "auth_type": "ip"}`)
	foreignTrunk := decodeObjectBody(t, otherRec)["id"].(string)

	tests := []struct {
		name   string
		suffix string
		body   string
		status int
		want   map[string]any
	}{
		{"unknown trunk", "/assign", `{"trunk_id": "trunk_nope"}`, http.StatusNotFound,
			errorBody(numberpool.CodeNotFound, "trunk trunk_nope not found in your account")},
		{"foreign trunk", "/assign", `{"trunk_id": "` + foreignTrunk + `"}`, http.StatusNotFound,
			errorBody(numberpool.CodeNotFound, "trunk "+foreignTrunk+" not found in your account")},
		{"unknown application", "/application", `{"application_id": "app_nope"}`, http.StatusNotFound,
			errorBody(numberpool.CodeNotFound, "application app_nope not found in your account")},
		{"missing trunk", "/assign", `{}`, http.StatusBadRequest, errorBody(numberpool.CodeValidationFailed,
			`missing trunk_id: give the id of one of your trunks, e.g. {"trunk_id": "trunk_4x5y6z"}`,
			[2]string{"trunk_id", "is required"})},
		{"missing application", "/application", `{"trunk_id": "trunk_x"}`, http.StatusBadRequest,
			errorBody(numberpool.CodeValidationFailed, `unknown field "trunk_id": the request takes application_id`,
				[2]string{"trunk_id", "is not a field of this request"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.doJSON(t, http.MethodPost, numberURL(accountID, number, tt.suffix), env.key, tt.body)
			checkResponse(t, rec, tt.status, tt.want)
		})
	}

	t.Run("not held", func(t *testing.T) {
		rec := env.doJSON(t, http.MethodPost, numberURL(otherAccountID, number, "/assign"), env.otherKey,
			`{"trunk_id": "`+foreignTrunk+`"}`)
		checkResponse(t, rec, http.StatusNotFound, notFoundBody(number))
	})
}

func TestDeleteRoutedTrunk(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)),
		activeNumber("+14155551235", accountID, t0.AddDate(-1, 0, 0)))
	trunkID := env.createTrunk(t, "Main SIP trunk")
	appID := env.createApplication(t, "IVR")
	env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)
	env.doJSON(t, http.MethodPost, numberURL(accountID, "+14155551235", "/application"), env.key, `{"application_id": "`+appID+`"}`)

	rec := env.do(t, http.MethodDelete, "/v1/account/"+accountID+"/trunks/"+trunkID, env.key)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"trunk "+trunkID+" cannot be deleted: 1 number still routes to it (see details); unassign them first",
		[2]string{"e164", "+14155551234 routes to this trunk"}))
	rec = env.do(t, http.MethodDelete, "/v1/account/"+accountID+"/applications/"+appID, env.key)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"application "+appID+" cannot be deleted: 1 number still routes to it (see details); unassign them first",
		[2]string{"e164", "+14155551235 routes to this application"}))
}

// TestReleaseRemovesAssignment follows a routed number through preview,
// release and cancel: the preview warns, the release removes the trunk and
// the cancel restores it.
func TestReleaseRemovesAssignment(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	trunkID := env.createTrunk(t, "Main SIP trunk")
	env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "can_release": true, "early_termination_fee": 0.00,
		"currency": "USD", "cooling_off_period_days": 30,
		"warnings": ["routes to trunk `+trunkID+` (Main SIP trunk); releasing removes the assignment"]}`)

	env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	if got := decodeObjectBody(t, env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key))["trunk_id"]; got != nil {
		t.Errorf("trunk_id after release = %v, want null", got)
	}

	rec = env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "status": "active",
		"release_cancelled_at": "2026-04-09T11:45:00Z", "message": "Number release cancelled successfully", "warnings": []}`)
	if got := decodeObjectBody(t, env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key))["trunk_id"]; got != trunkID {
		t.Errorf("trunk_id after cancel = %v, want %s", got, trunkID)
	}
}

// TestCancelAfterTrunkDeleted checks that a cancel succeeds when the trunk
// was deleted during the cooling-off period, and that its response names it.
func TestCancelAfterTrunkDeleted(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	trunkID := env.createTrunk(t, "Main SIP trunk")
	env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)
	env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	if rec := env.do(t, http.MethodDelete, "/v1/account/"+accountID+"/trunks/"+trunkID, env.key); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE trunk used only by a released number: status %d, body %s", rec.Code, rec.Body.String())
	}

	rec := env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "status": "active",
		"release_cancelled_at": "2026-04-09T11:45:00Z", "message": "Number release cancelled successfully",
		"warnings": ["the assignment to trunk `+trunkID+` was not restored because the trunk was deleted after the release"]}`)
	if got := decodeObjectBody(t, env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key))["trunk_id"]; got != nil {
		t.Errorf("trunk_id after cancel = %v, want null", got)
	}
}
