package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"numberpool"
)

func inventoryURL(account, query string) string {
	return "/v1/account/" + account + "/inventory/numbers?" + query
}

func purchaseURL(account string) string {
	return "/v1/account/" + account + "/numbers/purchase-from-inventory"
}

// post sends a JSON body with key.
func (e *testEnv) post(tb testing.TB, target, key, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return e.send(req)
}

func TestSearchInventory(t *testing.T) {
	env := newTestEnv(t)
	ended := activeNumber("+14155550002", accountID, t0.Add(-200*24*time.Hour))
	ended.Status, ended.ReleasedAt, ended.AvailableAfter = numberpool.StatusReleased, t0.Add(-30*24*time.Hour), t0
	env.addNumbers(t, availableNumber("+14155550001"), ended, activeNumber("+14155550003", otherAccountID, t0))

	// Empty filters filter nothing, capabilities included.
	rec := env.do(t, http.MethodGet, inventoryURL(accountID, "country=us&area_code=415&per_page=1&page=2&contains=&capabilities="), env.key)
	checkResponse(t, rec, http.StatusOK, `{
		"data": [{"e164": "+14155550002", "country": "US", "type": "local", "region": "CA", "status": "available",
			"capabilities": ["voice", "sms", "mms"], "monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD"}],
		"pagination": {"total": 2, "count": 1, "per_page": 1, "current_page": 2, "total_pages": 2, "total_capped": false}}`)
}

func TestSearchInventoryInvalid(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name   string
		query  string
		fields []string
	}{
		{"no country", "", []string{"country"}},
		{"letters", "country=US&contains=FLOWERS", []string{"contains"}},
		{"per_page", "country=US&per_page=101", []string{"per_page"}},
		{"capabilities", "country=US&capabilities=voice,fax", []string{"capabilities"}},
		{"capabilities with an empty item", "country=US&capabilities=voice,", []string{"capabilities"}},
		{"type", "country=US&type=landline", []string{"type"}},
		{"two at once", "country=US&per_page=0&ends_with=x", []string{"per_page", "ends_with"}},
		{"three at once", "country=US&contains=abc&type=zz&per_page=500", []string{"per_page", "type", "contains"}},
		{"twice", "country=US&area_code=415&area_code=212", []string{"area_code"}},
		{"country twice", "country=US&country=US", []string{"country"}},
		{"invalid country twice", "country=ZZ&country=US", []string{"country"}},
		{"type twice", "country=US&type=bogus&type=local", []string{"type"}},
		{"country after a semicolon", "country=US&x=1;country=GB", []string{"country"}},
		{"semicolon in a name", "country=US&type;x=toll_free", []string{"type"}},
		{"ends_with country code", "country=GB&ends_with=%2B44", []string{"ends_with"}},
		{"contains not percent-encoded", "country=US&contains=55%zz", []string{"contains"}},
		{"capabilities with a semicolon", "country=US&capabilities=voice;sms", []string{"capabilities"}},
		{"country with a dotless i", "country=%C4%B1t", []string{"country"}},
		{"country not percent-encoded", "country=U%zz", []string{"country"}},
		{"country with a semicolon", "country=US;x", []string{"country"}},
		{"undecodable beside another error", "country=US&page=%zz&per_page=0", []string{"page", "per_page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, http.MethodGet, inventoryURL(accountID, tt.query), env.key)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400 (body %s)", rec.Code, rec.Body.String())
			}
			body := decodeJSON(t, rec.Body.String()).(map[string]any)["error"].(map[string]any)
			if body["code"] != "VALIDATION_FAILED" {
				t.Errorf("code = %v, want VALIDATION_FAILED", body["code"])
			}
			var fields []string
			for _, d := range body["details"].([]any) {
				fields = append(fields, d.(map[string]any)["field"].(string))
			}
			if fmt.Sprint(fields) != fmt.Sprint(tt.fields) {
				t.Errorf("detail fields = %v, want %v", fields, tt.fields)
			}
		})
	}
}

// TestSearchUnencodedPlus checks that a + written as is, which a query
// string reads as a space, gets a message that shows how to write it.
func TestSearchUnencodedPlus(t *testing.T) {
	env := newTestEnv(t)

	rec := env.do(t, http.MethodGet, inventoryURL(accountID, "country=US&starts_with=+1415"), env.key)
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400 (body %s)", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), "write a + in a query string as %2B") {
		t.Errorf("body %s does not say how to write a +", rec.Body.String())
	}
}

func TestPurchaseNumber(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber("+14155550001"))

	rec := env.post(t, purchaseURL(accountID), env.key, `{"e164": "+14155550001", "country": "US"}`)
	checkResponse(t, rec, http.StatusCreated, `{"e164": "+14155550001", "country": "US", "type": "local",
		"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"], "monthly_fee": 1.25,
		"setup_fee": 0.00, "currency": "USD", "trunk_id": null, "application_id": null,
		"created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}`)

	rec = env.do(t, http.MethodGet, numberURL(accountID, "+14155550001", ""), env.key)
	if rec.Code != http.StatusOK {
		t.Errorf("GET the bought number: status %d, want 200 (body %s)", rec.Code, rec.Body.String())
	}
}

// TestPurchaseUnderAccountHold buys a number for an account under an
// account-wide billing hold. The 201 body must equal the object GET returns.
func TestPurchaseUnderAccountHold(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber("+14155550001"))
	env.placeHold(t, numberpool.Hold{AccountID: accountID, Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"})

	rec := env.post(t, purchaseURL(accountID), env.key, `{"e164": "+14155550001", "country": "US"}`)
	want := `{"e164": "+14155550001", "country": "US", "type": "local",
		"region": "CA", "status": "suspended", "capabilities": ["voice", "sms", "mms"], "monthly_fee": 1.25,
		"setup_fee": 0.00, "currency": "USD", "trunk_id": null, "application_id": null,
		"created_at": "2026-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": [{"kind": "billing",
		"reason": "invoice 1042 unpaid", "scope": "account", "placed_at": "2026-04-09T11:45:00Z"}]}`
	checkResponse(t, rec, http.StatusCreated, want)

	rec = env.do(t, http.MethodGet, numberURL(accountID, "+14155550001", ""), env.key)
	checkResponse(t, rec, http.StatusOK, want)
}

func TestPurchaseNumberErrors(t *testing.T) {
	env := newTestEnv(t)
	cooling := activeNumber("+14155550003", accountID, t0.Add(-200*24*time.Hour))
	cooling.Status, cooling.ReleasedAt, cooling.AvailableAfter = numberpool.StatusReleased, t0.Add(-24*time.Hour), t0.Add(29*24*time.Hour)
	env.addNumbers(t, availableNumber("+14155550001"), activeNumber("+14155550002", otherAccountID, t0), cooling)

	tests := []struct {
		name   string
		body   string
		status int
		code   numberpool.Code
		field  string // the detail's field, empty for none
		names  string // a part of the message
	}{
		{"number for e164", `{"e164": 14155550001, "country": "US"}`, 400, numberpool.CodeValidationFailed, "e164", "e164"},
		{"no plus", `{"e164": "14155550001", "country": "US"}`, 400, numberpool.CodeValidationFailed, "e164", "14155550001"},
		{"missing e164", `{"country": "US"}`, 400, numberpool.CodeValidationFailed, "e164", "missing e164"},
		{"missing country", `{"e164": "+14155550001"}`, 400, numberpool.CodeValidationFailed, "country", "missing country"},
		{"unknown field", `{"e164": "+14155550001", "country": "US", "e146": "x"}`, 400, numberpool.CodeValidationFailed, "e146", "e146"},
		{"not JSON", `e164=+14155550001`, 400, numberpool.CodeValidationFailed, "body", "JSON"},
		{"empty", ``, 400, numberpool.CodeValidationFailed, "body", "missing request body"},
		{"two objects", `{"e164": "+14155550001", "country": "US"} {}`, 400, numberpool.CodeValidationFailed, "body", "one JSON object"},
		{"country mismatch", `{"e164": "+14155550001", "country": "GB"}`, 400, numberpool.CodeValidationFailed, "country", "GB"},
		{"country with a long s", `{"e164": "+14155550001", "country": "u\u017f"}`, 400, numberpool.CodeValidationFailed, "country", "U\u017f"},
		{"national prefix", `{"e164": "+114155550001", "country": "US"}`, 400, numberpool.CodeValidationFailed, "e164", "+14155550001"},
		{"not in inventory", `{"e164": "+14155550009", "country": "US"}`, 404, numberpool.CodeNotFound, "", "+14155550009"},
		{"owned", `{"e164": "+14155550002", "country": "US"}`, 409, numberpool.CodeConflict, "", "another account"},
		{"cooling off", `{"e164": "+14155550003", "country": "US"}`, 409, numberpool.CodeConflict, "",
			"/v1/account/acc_123abc/numbers/+14155550003/cancel-release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.post(t, purchaseURL(accountID), env.key, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tt.status, rec.Body.String())
			}
			e := decodeJSON(t, rec.Body.String()).(map[string]any)["error"].(map[string]any)
			if e["code"] != string(tt.code) {
				t.Errorf("code = %v, want %s", e["code"], tt.code)
			}
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.names) {
				t.Errorf("message %q does not contain %q", msg, tt.names)
			}
			details, _ := e["details"].([]any)
			if tt.field != "" && (len(details) != 1 || details[0].(map[string]any)["field"] != tt.field) {
				t.Errorf("details = %v, want one for %s", details, tt.field)
			}
		})
	}
}

// TestPurchaseBackAfterRelease releases a number and buys it back: refused
// while it cools off, accepted at the instant the period ends, with a new
// term that owes the early termination fee again.
func TestPurchaseBackAfterRelease(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.Add(-365*24*time.Hour)))
	if rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key); rec.Code != http.StatusOK {
		t.Fatalf("release: status %d (body %s)", rec.Code, rec.Body.String())
	}
	body := `{"e164": "` + number + `", "country": "US"}`

	env.clock.Set(t0.Add(30*24*time.Hour - time.Second))
	if rec := env.post(t, purchaseURL(accountID), env.key, body); rec.Code != http.StatusConflict {
		t.Errorf("purchase while cooling off: status %d, want 409 (body %s)", rec.Code, rec.Body.String())
	}

	env.clock.Set(t0.Add(30 * 24 * time.Hour))
	rec := env.do(t, http.MethodGet, inventoryURL(accountID, "country=US&ends_with=1234"), env.key)
	if !strings.Contains(rec.Body.String(), number) {
		t.Errorf("search at the end of the cooling-off period does not find %s: %s", number, rec.Body.String())
	}
	if rec := env.post(t, purchaseURL(accountID), env.key, body); rec.Code != http.StatusCreated {
		t.Fatalf("purchase at the end of the cooling-off period: status %d, want 201 (body %s)", rec.Code, rec.Body.String())
	}
	rec = env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	if !strings.Contains(rec.Body.String(), `"early_termination_fee":25.00`) {
		t.Errorf("preview after the new purchase owes no fee: %s", rec.Body.String())
	}
}

// TestPurchaseUnderLoad sends 25 purchases and 25 list requests at once to
// the SQLite default: every one must succeed, none with "database is
// locked".
func TestPurchaseUnderLoad(t *testing.T) {
	env := newTestEnv(t)
	const n = 25
	for i := range n {
		env.addNumbers(t, availableNumber(fmt.Sprintf("+1415555%04d", i)))
	}

	codes := make([]int, 2*n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			body := fmt.Sprintf(`{"e164": "+1415555%04d", "country": "US"}`, i)
			codes[i] = env.post(t, purchaseURL(accountID), env.key, body).Code
		})
		wg.Go(func() {
			<-start
			codes[n+i] = env.do(t, http.MethodGet, "/v1/account/"+accountID+"/numbers", env.key).Code
		})
	}
	close(start)
	wg.Wait()

	for i, code := range codes {
		want := http.StatusOK
		if i < n {
			want = http.StatusCreated
		}
		if code != want {
			t.Errorf("request %d: status %d, want %d", i, code, want)
		}
	}
	rec := env.do(t, http.MethodGet, "/v1/account/"+accountID+"/numbers?per_page=100", env.key)
	if !strings.Contains(rec.Body.String(), `"total":25`) {
		t.Errorf("list after the purchases: %s, want 25 numbers", rec.Body.String())
	}
}

// TestPurchaseRace lets two accounts buy one number at once: one gets 201,
// the other 409 and nothing in its list.
func TestPurchaseRace(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber(number))
	body := `{"e164": "` + number + `", "country": "US"}`

	keys := map[string]string{accountID: env.key, otherAccountID: env.otherKey}
	codes := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for account, key := range keys {
		wg.Go(func() {
			code := env.post(t, purchaseURL(account), key, body).Code
			mu.Lock()
			codes[account] = code
			mu.Unlock()
		})
	}
	wg.Wait()

	winners := 0
	for account, code := range codes {
		list := env.do(t, http.MethodGet, "/v1/account/"+account+"/numbers", keys[account]).Body.String()
		switch code {
		case http.StatusCreated:
			winners++
		case http.StatusConflict:
			if !strings.Contains(list, `"total":0`) {
				t.Errorf("the losing account %s lists numbers: %s", account, list)
			}
		default:
			t.Errorf("account %s: status %d, want 201 or 409", account, code)
		}
	}
	if winners != 1 {
		t.Errorf("%d accounts bought the number, want exactly 1 (codes %v)", winners, codes)
	}
}

func TestPoolRoutesNeedTheAccountsKey(t *testing.T) {
	env := newTestEnv(t)
	env.addNumbers(t, availableNumber("+14155550001"))

	tests := []struct {
		name   string
		key    string
		status int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"other account", env.otherKey, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := env.do(t, http.MethodGet, inventoryURL(accountID, "country=US"), tt.key); rec.Code != tt.status {
				t.Errorf("search: status %d, want %d", rec.Code, tt.status)
			}
			rec := env.post(t, purchaseURL(accountID), tt.key, `{"e164": "+14155550001", "country": "US"}`)
			if rec.Code != tt.status {
				t.Errorf("purchase: status %d, want %d", rec.Code, tt.status)
			}
		})
	}
	if rec := env.do(t, http.MethodGet, numberURL(otherAccountID, "+14155550001", ""), env.otherKey); rec.Code != http.StatusNotFound {
		t.Errorf("the number was bought by a rejected request: GET status %d, want 404", rec.Code)
	}
}
