package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"numberpool"
)

func (e *testEnv) callEvent(tb testing.TB, callID, event string) map[string]any {
	tb.Helper()
	rec := e.doJSON(tb, http.MethodPost, numberURL(accountID, number, "/calls"), e.key,
		`{"call_id": "`+callID+`", "event": "`+event+`"}`)
	if rec.Code != http.StatusOK {
		tb.Fatalf("call %s %s: status %d, body %s", callID, event, rec.Code, rec.Body.String())
	}
	return decodeObjectBody(tb, rec)
}

func (e *testEnv) placeHold(tb testing.TB, h numberpool.Hold) {
	tb.Helper()
	if _, err := e.store.PlaceHold(context.Background(), h); err != nil {
		tb.Fatalf("PlaceHold: %v", err)
	}
}

// numberField returns one field of the number object.
func (e *testEnv) numberField(tb testing.TB, field string) any {
	tb.Helper()
	return decodeObjectBody(tb, e.do(tb, http.MethodGet, numberURL(accountID, number, ""), e.key))[field]
}

func TestCallEvents(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	rec := env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/calls"), env.key,
		`{"call_id": "CA123", "event": "started"}`)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "call_id": "CA123", "event": "started", "active_calls": 1}`)
	if got := env.callEvent(t, "CA123", "started")["active_calls"]; got != 1.0 {
		t.Errorf("active_calls after a repeated started = %v, want 1", got)
	}
	if got := env.numberField(t, "active_calls"); got != 1.0 {
		t.Errorf("number object active_calls = %v, want 1", got)
	}
	if got := env.callEvent(t, "CA123", "ended")["active_calls"]; got != 0.0 {
		t.Errorf("active_calls after ended = %v, want 0", got)
	}

	rec = env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/calls"), env.key, `{"call_id": "", "event": "ringing"}`)
	checkResponse(t, rec, http.StatusBadRequest, errorBodyOf(t, rec, numberpool.CodeValidationFailed,
		[2]string{"call_id", "must be 1 to 128 printable ASCII characters without spaces"},
		[2]string{"event", "must be started or ended"}))

	rec = env.doJSON(t, http.MethodPost, numberURL(otherAccountID, number, "/calls"), env.otherKey,
		`{"call_id": "CA9", "event": "started"}`)
	checkResponse(t, rec, http.StatusNotFound, notFoundBody(number))
}

// TestCallsBlockRelease checks the preview and the release of a number with
// calls in progress, and that a call lost without "ended" stops blocking at
// the maximum call duration.
func TestCallsBlockRelease(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.Add(-42*24*time.Hour)))
	env.callEvent(t, "CA1", "started")
	env.callEvent(t, "CA2", "started")

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "can_release": false, "early_termination_fee": 25.00,
		"currency": "USD", "cooling_off_period_days": 30, "warnings": ["2 active calls in progress",
		"This number was purchased less than 3 months ago and has a $25.00 early termination fee"]}`)

	rec = env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeReleaseBlocked,
		"number +14155551234 cannot be released: 1 blocker (see details)",
		[2]string{"active_calls", "2 active calls in progress"}))

	env.clock.Advance(numberpool.DefaultMaxCallDuration)
	rec = env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	if body := decodeObjectBody(t, rec); body["can_release"] != true {
		t.Errorf("preview at the maximum call duration = %v, want can_release true", body)
	}
	if rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key); rec.Code != http.StatusOK {
		t.Errorf("DELETE at the maximum call duration: status %d, body %s", rec.Code, rec.Body.String())
	}
	rec = env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/calls"), env.key, `{"call_id": "CA3", "event": "started"}`)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"number +14155551234 is released: cancel the release before changing it"))
}

func TestHoldsInNumberObject(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})
	env.clock.Advance(time.Minute)
	env.placeHold(t, numberpool.Hold{AccountID: accountID, Kind: numberpool.HoldLegal, Reason: "court order 7"})

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "suspended", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": null,
		"application_id": null, "created_at": "2025-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": [
			{"kind": "billing", "reason": "invoice 1042 unpaid", "scope": "number", "placed_at": "2026-04-09T11:45:00Z"},
			{"kind": "legal", "reason": "court order 7", "scope": "account", "placed_at": "2026-04-09T11:46:00Z"}]}`)

	rec = env.do(t, http.MethodGet, "/v1/account/"+accountID+"/numbers", env.key)
	data := decodeObjectBody(t, rec)["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["status"] != "suspended" || len(data[0].(map[string]any)["holds"].([]any)) != 2 {
		t.Errorf("list data = %v, want the number suspended with two holds", data)
	}

	// The account cannot lift a hold.
	rec = env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"holds": []}`)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeValidationFailed,
		"holds cannot be changed through the API: the operator places and lifts them; contact support about a hold",
		[2]string{"holds", "cannot be changed by the account"}))
	rec = env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"status": "active"}`)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("PATCH status: %d, want 400", rec.Code)
	}
	if got := env.numberField(t, "holds").([]any); len(got) != 2 {
		t.Errorf("holds after PATCH attempts = %v, want both kept", got)
	}
}

// TestEachBlockerThroughAPI checks every blocker kind on its own: the
// preview's warning and the release's one detail.
func TestEachBlockerThroughAPI(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, env *testEnv)
		field   string
		message string
	}{
		{"one call", func(t *testing.T, env *testEnv) { env.callEvent(t, "CA1", "started") },
			"active_calls", "1 active call in progress"},
		{"billing", func(t *testing.T, env *testEnv) {
			env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})
		}, "billing_hold", "a billing issue is open on this number (invoice 1042 unpaid)"},
		{"account billing", func(t *testing.T, env *testEnv) {
			env.placeHold(t, numberpool.Hold{AccountID: accountID, Kind: numberpool.HoldBilling, Reason: "card declined"})
		}, "billing_hold", "a billing issue is open on this number (account hold: card declined)"},
		{"port out", func(t *testing.T, env *testEnv) {
			env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldPortOut, Reason: "port to Carrier X"})
		}, "port_out_hold", "a port-out request is in progress (port to Carrier X)"},
		{"legal", func(t *testing.T, env *testEnv) {
			env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldLegal, Reason: "court order 7"})
		}, "legal_hold", "a legal hold is on this number (court order 7)"},
		{"protection", func(t *testing.T, env *testEnv) {
			rec := env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": true}`)
			if rec.Code != http.StatusOK {
				t.Fatalf("PATCH release_protection: status %d, body %s", rec.Code, rec.Body.String())
			}
		}, "release_protection", `release protection is on; turn it off with PATCH on the number and {"release_protection": false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
			tt.setup(t, env)

			rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
			checkResponse(t, rec, http.StatusOK, map[string]any{
				"e164": number, "can_release": false, "early_termination_fee": jsonNumber("0.00"), "currency": "USD",
				"cooling_off_period_days": 30, "warnings": []string{tt.message},
			})
			rec = env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
			checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeReleaseBlocked,
				"number +14155551234 cannot be released: 1 blocker (see details)", [2]string{tt.field, tt.message}))
			if got := env.numberField(t, "status"); got != "active" && got != "suspended" {
				t.Errorf("status after a blocked release = %v, want the number kept", got)
			}
		})
	}
}

// TestAllBlockersInOrder sets every blocker up in reverse order and checks
// that the preview and the release list them in the stable order, with the
// assignment warning after the blockers.
func TestAllBlockersInOrder(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	trunkID := env.createTrunk(t, "Main SIP trunk")
	env.doJSON(t, http.MethodPost, numberURL(accountID, number, "/assign"), env.key, `{"trunk_id": "`+trunkID+`"}`)
	env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": true}`)
	env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldLegal, Reason: "court order 7"})
	env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldPortOut, Reason: "port to Carrier X"})
	env.placeHold(t, numberpool.Hold{E164: number, Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})
	env.placeHold(t, numberpool.Hold{AccountID: accountID, Kind: numberpool.HoldBilling, Reason: "card declined"})
	env.callEvent(t, "CA1", "started")

	blockers := [][2]string{
		{"active_calls", "1 active call in progress"},
		{"billing_hold", "a billing issue is open on this number (invoice 1042 unpaid; account hold: card declined)"},
		{"port_out_hold", "a port-out request is in progress (port to Carrier X)"},
		{"legal_hold", "a legal hold is on this number (court order 7)"},
		{"release_protection", `release protection is on; turn it off with PATCH on the number and {"release_protection": false}`},
	}
	warnings := []string{}
	for _, b := range blockers {
		warnings = append(warnings, b[1])
	}
	warnings = append(warnings, "routes to trunk "+trunkID+" (Main SIP trunk); releasing removes the assignment")

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, map[string]any{
		"e164": number, "can_release": false, "early_termination_fee": jsonNumber("0.00"), "currency": "USD",
		"cooling_off_period_days": 30, "warnings": warnings,
	})
	rec = env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeReleaseBlocked,
		"number +14155551234 cannot be released: 5 blockers (see details)", blockers...))
}

func TestReleaseProtection(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	rec := env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": true}`)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": null,
		"application_id": null, "created_at": "2025-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": true, "holds": []}`)
	if rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key); rec.Code != http.StatusBadRequest {
		t.Errorf("DELETE of a protected number: status %d, want 400", rec.Code)
	}

	rec = env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{}`)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeValidationFailed,
		`missing release_protection: send {"release_protection": true} or {"release_protection": false}`,
		[2]string{"release_protection", "is required"}))
	rec = env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": "no"}`)
	checkResponse(t, rec, http.StatusBadRequest, errorBodyOf(t, rec, numberpool.CodeValidationFailed,
		[2]string{"release_protection", "must be a JSON boolean"}))

	env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": false}`)
	if rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key); rec.Code != http.StatusOK {
		t.Errorf("DELETE after switching protection off: status %d, body %s", rec.Code, rec.Body.String())
	}
	rec = env.doJSON(t, http.MethodPatch, numberURL(accountID, number, ""), env.key, `{"release_protection": true}`)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"number +14155551234 is released: cancel the release before changing it"))
}

// jsonNumber is a JSON number written as text, so that checkResponse
// compares 0.00 rather than 0.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// TestCallStartRacesRelease sends a call start and a release of the same
// number at once, many times: either the call counts and the release gets
// 400, or the release wins and the call start gets 409.
func TestCallStartRacesRelease(t *testing.T) {
	const rounds = 20
	env := newTestEnv(t)
	for i := range rounds {
		env.addNumbers(t, activeNumber(raceNumber(i), accountID, t0.AddDate(-1, 0, 0)))
	}

	for i := range rounds {
		e164 := raceNumber(i)
		var callCode, releaseCode int
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			callCode = env.doJSON(t, http.MethodPost, numberURL(accountID, e164, "/calls"), env.key,
				`{"call_id": "race", "event": "started"}`).Code
		})
		wg.Go(func() {
			<-start
			releaseCode = env.do(t, http.MethodDelete, numberURL(accountID, e164, ""), env.key).Code
		})
		close(start)
		wg.Wait()

		status := decodeObjectBody(t, env.do(t, http.MethodGet, numberURL(accountID, e164, ""), env.key))["status"]
		callWon := callCode == http.StatusOK && releaseCode == http.StatusBadRequest && status == "active"
		releaseWon := releaseCode == http.StatusOK && callCode == http.StatusConflict && status == "released"
		if !callWon && !releaseWon {
			t.Errorf("%s: call start %d, release %d, status %v: want exactly one to win", e164, callCode, releaseCode, status)
		}
	}
}

func raceNumber(i int) string {
	return fmt.Sprintf("+1415555%04d", 2000+i)
}
