package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

func TestGetNumber(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	routed := activeNumber(number, accountID, time.Date(2026, 3, 15, 8, 20, 0, 0, time.UTC))
	routed.TrunkID = "trunk_abc123"
	bare := activeNumber("+14155550100", accountID, time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC))
	bare.Capabilities = nil
	bare.Region = ""
	bare.MonthlyFee, bare.SetupFee = 0, 150
	env.addNumbers(t, routed, bare)

	t.Run("routed", func(t *testing.T) {
		rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
		checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
			"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"],
			"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": "trunk_abc123",
			"application_id": null, "created_at": "2026-03-15T08:20:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}`)
	})
	t.Run("bare", func(t *testing.T) {
		rec := env.do(t, http.MethodGet, numberURL(accountID, "+14155550100", ""), env.key)
		checkResponse(t, rec, http.StatusOK, `{"e164": "+14155550100", "country": "US", "type": "local",
			"region": "", "status": "active", "capabilities": [],
			"monthly_fee": 0.00, "setup_fee": 1.50, "currency": "USD", "trunk_id": null,
			"application_id": null, "created_at": "2026-03-16T09:00:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}`)
	})
}

// A release removes the trunk and a cancel puts it back, with the original
// purchase time.
func TestGetNumberAcrossReleaseAndCancel(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	n := activeNumber(number, accountID, time.Date(2026, 3, 15, 8, 20, 0, 0, time.UTC))
	n.TrunkID = "trunk_abc123"
	env.addNumbers(t, n)

	env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "released", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": null,
		"application_id": null, "created_at": "2026-03-15T08:20:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": [],
		"released_at": "2026-04-09T11:45:00Z", "available_after": "2026-05-09T11:45:00Z"}`)

	env.clock.Advance(time.Hour)
	env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
	rec = env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": "trunk_abc123",
		"application_id": null, "created_at": "2026-03-15T08:20:00Z", "updated_at": "2026-04-09T12:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}`)
}

// TestNumberWithNationalPrefixStaysReachable releases a number that an
// older import stored with a national prefix after the country code: the
// paths still accept it, though neither an import nor a purchase would.
func TestNumberWithNationalPrefixStaysReachable(t *testing.T) {
	t.Parallel()
	const alias = "+114155551111"
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(alias, accountID, t0.AddDate(-1, 0, 0)))

	rec := env.do(t, http.MethodGet, numberURL(accountID, alias, ""), env.key)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET: status %d, want 200 (body %s)", rec.Code, rec.Body.String())
	}
	rec = env.do(t, http.MethodDelete, numberURL(accountID, alias, ""), env.key)
	if rec.Code != http.StatusOK {
		t.Fatalf("DELETE: status %d, want 200 (body %s)", rec.Code, rec.Body.String())
	}
}

// TestListIgnoresBadlyWrittenUnknownParameters checks that a parameter the
// list does not read is ignored even when it does not decode.
func TestListIgnoresBadlyWrittenUnknownParameters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	for _, query := range []string{"x=a;b&%zz=1&y=100%", "status=active&fields=e164;status"} {
		rec := env.do(t, http.MethodGet, "/v1/account/"+accountID+"/numbers?"+query, env.key)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status = %d, want 200 (body %s)", query, rec.Code, rec.Body.String())
		}
	}
}

// TestCancelUnderBillingHold cancels a release after the account got a
// billing hold: the number comes back suspended, and the cancel response
// shows that status, as the number object does.
func TestCancelUnderBillingHold(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, time.Date(2026, 3, 15, 8, 20, 0, 0, time.UTC)))
	env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	env.placeHold(t, numberpool.Hold{AccountID: accountID, Kind: numberpool.HoldBilling, Reason: "card declined"})

	env.clock.Advance(time.Hour)
	rec := env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "status": "suspended",
		"release_cancelled_at": "2026-04-09T12:45:00Z", "message": "Number release cancelled successfully", "warnings": []}`)

	rec = env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	status, _ := decodeJSON(t, rec.Body.String()).(map[string]any)["status"].(string)
	if status != "suspended" {
		t.Errorf("status after the cancel = %q, want suspended (body %s)", status, rec.Body.String())
	}
}

// A number of another account, one in the pool and one that does not exist
// all get the same 404, so that a client cannot probe which numbers other
// accounts hold.
func TestNumberOfOtherAccountIsNotFound(t *testing.T) {
	t.Parallel()
	const others, pooled, missing = "+14155550111", "+14155550112", "+14155550113"
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(others, otherAccountID, t0.AddDate(-1, 0, 0)), availableNumber(pooled))

	requests := []struct {
		name, method, suffix string
	}{
		{"get", http.MethodGet, ""},
		{"preview", http.MethodGet, "/release-preview"},
		{"release", http.MethodDelete, ""},
		{"cancel", http.MethodPost, "/cancel-release"},
	}
	for _, r := range requests {
		for _, e164 := range []string{others, pooled, missing} {
			t.Run(r.name+"/"+e164, func(t *testing.T) {
				rec := env.do(t, r.method, numberURL(accountID, e164, r.suffix), env.key)
				checkResponse(t, rec, http.StatusNotFound, notFoundBody(e164))
			})
		}
	}

	// The other account still holds its number.
	rec := env.do(t, http.MethodGet, numberURL(otherAccountID, others, ""), env.otherKey)
	if rec.Code != http.StatusOK {
		t.Errorf("owner's GET: status %d, want 200 (body %s)", rec.Code, rec.Body.String())
	}
}

// Clients send the plus sign literally or as %2B. Both name the same number,
// and neither is decoded as a space.
func TestNumberPlusSignEncodings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	want := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	if want.Code != http.StatusOK {
		t.Fatalf("literal plus: status %d, body %s", want.Code, want.Body.String())
	}

	for _, encoded := range []string{"%2B14155551234", "%2b14155551234"} {
		t.Run(encoded, func(t *testing.T) {
			rec := env.do(t, http.MethodGet, numberURL(accountID, encoded, "/release-preview"), env.key)
			checkResponse(t, rec, http.StatusOK, want.Body.String())
		})
	}
	t.Run("space", func(t *testing.T) {
		rec := env.do(t, http.MethodGet, numberURL(accountID, "%2014155551234", "/release-preview"), env.key)
		checkResponse(t, rec, http.StatusBadRequest, invalidNumberBody(" 14155551234"))
	})
}

// TestTooShortNumberInPath checks the message of a number in E.164 syntax
// that is too short for its country code.
func TestTooShortNumberInPath(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	rec := env.do(t, http.MethodGet, numberURL(accountID, "+1415555123", ""), env.key)
	checkResponse(t, rec, http.StatusBadRequest, errorBody(numberpool.CodeValidationFailed,
		`invalid phone number "+1415555123": the national number 415555123 is too short for country code +1; `+
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`,
		[2]string{"e164", e164Reason}))
}

func TestInvalidNumberInPath(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	fortyDigits := strings.Repeat("1234567890", 4)

	values := []struct {
		name, segment, shown string
	}{
		{"no plus", "14155551234", "14155551234"},
		{"leading zero", "+04155551234", "+04155551234"},
		{"letters", "+abc", "+abc"},
		{"forty digits", fortyDigits, fortyDigits},
		{"encoded slash", "%2B1415%2F5551234", "+1415/5551234"},
	}
	requests := []struct {
		name, method, suffix string
	}{
		{"get", http.MethodGet, ""},
		{"preview", http.MethodGet, "/release-preview"},
		{"release", http.MethodDelete, ""},
		{"cancel", http.MethodPost, "/cancel-release"},
	}
	for _, v := range values {
		for _, r := range requests {
			t.Run(v.name+"/"+r.name, func(t *testing.T) {
				rec := env.do(t, r.method, numberURL(accountID, v.segment, r.suffix), env.key)
				checkResponse(t, rec, http.StatusBadRequest, invalidNumberBody(v.shown))
			})
		}
	}
}

// http.ServeMux would redirect a path with an empty segment. The API rejects
// the empty number instead, after authentication.
func TestEmptyNumberSegment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	requests := []struct {
		name, method, target, shown string
	}{
		{"preview", http.MethodGet, "/v1/account/acc_123abc/numbers//release-preview", ""},
		{"cancel", http.MethodPost, "/v1/account/acc_123abc/numbers//cancel-release", ""},
		{"release", http.MethodDelete, "/v1/account/acc_123abc/numbers/", ""},
		{"get", http.MethodGet, "/v1/account/acc_123abc/numbers/", ""},
		{"release double slash", http.MethodDelete, "/v1/account/acc_123abc/numbers//", ""},
		{"dot", http.MethodGet, "/v1/account/acc_123abc/numbers/./release-preview", "."},
		{"dot dot", http.MethodGet, "/v1/account/acc_123abc/numbers/../release-preview", ".."},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			rec := env.do(t, r.method, r.target, env.key)
			checkResponse(t, rec, http.StatusBadRequest, invalidNumberBody(r.shown))
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("Location = %q, want no redirect", loc)
			}
		})
		t.Run(r.name+"/no key", func(t *testing.T) {
			rec := env.do(t, r.method, r.target, "")
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401 (body %s)", rec.Code, rec.Body.String())
			}
		})
		t.Run(r.name+"/other key", func(t *testing.T) {
			rec := env.do(t, r.method, r.target, env.otherKey)
			if rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403 (body %s)", rec.Code, rec.Body.String())
			}
		})
	}
}

func TestListNumbersBody(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	n := activeNumber(number, accountID, time.Date(2026, 3, 15, 8, 20, 0, 0, time.UTC))
	n.TrunkID = "trunk_abc123"
	env.addNumbers(t, n, activeNumber("+14155550199", otherAccountID, t0))

	rec := env.do(t, http.MethodGet, "/v1/account/acc_123abc/numbers", env.key)
	checkResponse(t, rec, http.StatusOK, `{
		"data": [{"e164": "+14155551234", "country": "US", "type": "local",
			"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"],
			"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": "trunk_abc123",
			"application_id": null, "created_at": "2026-03-15T08:20:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}],
		"pagination": {"total": 1, "count": 1, "per_page": 20, "current_page": 1, "total_pages": 1}
	}`)

	rec = env.do(t, http.MethodGet, "/v1/account/acc_other/numbers?country=GB", env.otherKey)
	checkResponse(t, rec, http.StatusOK, `{"data": [],
		"pagination": {"total": 0, "count": 0, "per_page": 20, "current_page": 1, "total_pages": 0}}`)
}

// listPage is the part of a list response that paging tests read.
type listPage struct {
	Data []struct {
		E164   string `json:"e164"`
		Status string `json:"status"`
	} `json:"data"`
	Pagination struct {
		Total       int `json:"total"`
		Count       int `json:"count"`
		PerPage     int `json:"per_page"`
		CurrentPage int `json:"current_page"`
		TotalPages  int `json:"total_pages"`
	} `json:"pagination"`
}

func (e *testEnv) listPage(t *testing.T, query string) listPage {
	t.Helper()
	rec := e.do(t, http.MethodGet, "/v1/account/acc_123abc/numbers?"+query, e.key)
	if rec.Code != http.StatusOK {
		t.Fatalf("list %q: status %d, body %s", query, rec.Code, rec.Body.String())
	}
	var page listPage
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatalf("decode list %q: %v", query, err)
	}
	return page
}

// Paging walks the numbers in purchase order, then by number, each exactly
// once.
func TestListNumbersPaging(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	day := 24 * time.Hour
	base := t0.AddDate(-1, 0, 0)
	env.addNumbers(t,
		activeNumber("+14155550105", accountID, base),
		activeNumber("+14155550103", accountID, base),
		activeNumber("+14155550101", accountID, base.Add(2*day)),
		activeNumber("+14155550104", accountID, base.Add(day)),
		activeNumber("+14155550102", accountID, base.Add(3*day)),
		activeNumber("+14155550107", accountID, base.Add(day)),
		activeNumber("+14155550106", accountID, base.Add(5*day)),
		activeNumber("+14155550199", otherAccountID, base),
	)
	want := []string{"+14155550103", "+14155550105", "+14155550104", "+14155550107",
		"+14155550101", "+14155550102", "+14155550106"}

	var got []string
	for page := 1; page <= 4; page++ {
		p := env.listPage(t, fmt.Sprintf("page=%d&per_page=3", page))
		for _, d := range p.Data {
			got = append(got, d.E164)
		}

		wantCount := min(3, max(0, len(want)-(page-1)*3))
		if p.Pagination.Count != wantCount || p.Pagination.Count != len(p.Data) {
			t.Errorf("page %d: count %d with %d entries, want %d", page, p.Pagination.Count, len(p.Data), wantCount)
		}
		if p.Pagination.Total != 7 || p.Pagination.TotalPages != 3 || p.Pagination.PerPage != 3 || p.Pagination.CurrentPage != page {
			t.Errorf("page %d: pagination %+v, want total 7 over 3 pages of 3", page, p.Pagination)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers across pages (-want +got):\n%s", diff)
	}
}

func TestListNumbersFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	london := activeNumber("+442071838750", accountID, t0.AddDate(-1, 0, 0))
	london.Country, london.Region = "GB", ""
	env.addNumbers(t,
		activeNumber("+14155550101", accountID, t0.AddDate(-1, 0, 0)),
		activeNumber("+14155550102", accountID, t0.AddDate(-1, 0, 1)),
		london,
	)
	env.do(t, http.MethodDelete, numberURL(accountID, "+14155550102", ""), env.key)

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"+14155550101", "+442071838750", "+14155550102"}},
		{"country=US", []string{"+14155550101", "+14155550102"}},
		{"country=gb", []string{"+442071838750"}},
		{"status=active", []string{"+14155550101", "+442071838750"}},
		{"status=released", []string{"+14155550102"}},
		{"country=us&status=released", []string{"+14155550102"}},
		{"country=FR", nil},
		{"unknown=1", []string{"+14155550101", "+442071838750", "+14155550102"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := env.listPage(t, tt.query)
			var got []string
			for _, d := range p.Data {
				got = append(got, d.E164)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
			if p.Pagination.Total != len(tt.want) {
				t.Errorf("total = %d, want %d", p.Pagination.Total, len(tt.want))
			}
		})
	}
}

// TestListNumbersSuspended checks that the status filter agrees with the
// status that each listed number shows under a billing hold.
func TestListNumbersSuspended(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t,
		activeNumber("+14155550101", accountID, t0.AddDate(-1, 0, 0)),
		activeNumber("+14155550102", accountID, t0.AddDate(-1, 0, 1)),
	)
	hold := numberpool.Hold{E164: "+14155550101", Kind: numberpool.HoldBilling, Reason: "invoice 1042 unpaid"}
	if _, err := env.store.PlaceHold(context.Background(), hold); err != nil {
		t.Fatalf("PlaceHold: %v", err)
	}

	tests := []struct {
		query string
		want  []string
	}{
		{"status=active", []string{"+14155550102 active"}},
		{"status=suspended", []string{"+14155550101 suspended"}},
		{"", []string{"+14155550101 suspended", "+14155550102 active"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for _, d := range env.listPage(t, tt.query).Data {
				got = append(got, d.E164+" "+d.Status)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("numbers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListNumbersInvalidQuery(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	long := strings.Repeat("9", 50)

	tests := []struct {
		name  string
		query string
		want  map[string]any
	}{
		{"page zero", "page=0", errorBody(numberpool.CodeValidationFailed,
			`invalid page "0": expected an integer from 1 to 2147483647`,
			[2]string{"page", "must be an integer from 1 to 2147483647"})},
		{"page word", "page=two", errorBody(numberpool.CodeValidationFailed,
			`invalid page "two": expected an integer from 1 to 2147483647`,
			[2]string{"page", "must be an integer from 1 to 2147483647"})},
		{"page huge", "page=" + long, errorBody(numberpool.CodeValidationFailed,
			`invalid page "`+long[:40]+`...": expected an integer from 1 to 2147483647`,
			[2]string{"page", "must be an integer from 1 to 2147483647"})},
		{"per_page zero", "per_page=0", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "0": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"per_page 101", "per_page=101", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "101": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"per_page with a sign", "per_page=%2B5", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "+5": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"per_page not percent-encoded", "per_page=%zz", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "%zz": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"status with a semicolon", "status=active;x", errorBody(numberpool.CodeValidationFailed,
			`invalid status "active;x": expected active, suspended or released`,
			[2]string{"status", "must be active, suspended or released"})},
		{"unknown parameters written badly", "x=a;b&y=100%&%zz=1&per_page=0", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "0": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"semicolon in a name", "status;x=released", errorBody(numberpool.CodeValidationFailed,
			`invalid status ";x=released": expected active, suspended or released`,
			[2]string{"status", "must be active, suspended or released"})},
		{"semicolon before a parameter", "x=1;page=2", errorBody(numberpool.CodeValidationFailed,
			`invalid page: "x=1;page=2" contains a semicolon; separate parameters with & and write a semicolon in a value as %3B`,
			[2]string{"page", "must not follow a semicolon"})},
		{"per_page empty", "per_page=", errorBody(numberpool.CodeValidationFailed,
			`invalid per_page "": expected an integer from 1 to 100`,
			[2]string{"per_page", "must be an integer from 1 to 100"})},
		{"status available", "status=available", errorBody(numberpool.CodeValidationFailed,
			`invalid status "available": expected active, suspended or released`,
			[2]string{"status", "must be active, suspended or released"})},
		{"status upper", "status=ACTIVE", errorBody(numberpool.CodeValidationFailed,
			`invalid status "ACTIVE": expected active, suspended or released`,
			[2]string{"status", "must be active, suspended or released"})},
		{"country three letters", "country=USA", errorBody(numberpool.CodeValidationFailed,
			`invalid country "USA": expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US`,
			[2]string{"country", "must be a two-letter ISO 3166-1 alpha-2 code such as US"})},
		{"country digit", "country=U1", errorBody(numberpool.CodeValidationFailed,
			`invalid country "U1": expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US`,
			[2]string{"country", "must be a two-letter ISO 3166-1 alpha-2 code such as US"})},
		{"country with a long s", "country=u%C5%BF", errorBody(numberpool.CodeValidationFailed,
			"invalid country \"U\u017f\": expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US",
			[2]string{"country", "must be a two-letter ISO 3166-1 alpha-2 code such as US"})},
		{"country empty", "country=", errorBody(numberpool.CodeValidationFailed,
			`invalid country "": expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US`,
			[2]string{"country", "must be a two-letter ISO 3166-1 alpha-2 code such as US"})},
		{"country unknown", "country=XX", errorBody(numberpool.CodeValidationFailed,
			`invalid country "XX": expected the ISO 3166-1 alpha-2 code of a country with phone numbers, e.g. US`,
			[2]string{"country", "must be a two-letter ISO 3166-1 alpha-2 code such as US"})},
		{"page twice", "page=1&page=2", errorBody(numberpool.CodeValidationFailed,
			`invalid page: given 2 times, expected once`,
			[2]string{"page", "must be given once"})},
		{"two invalid", "status=gone&per_page=500", errorBody(numberpool.CodeValidationFailed,
			`invalid status "gone": expected active, suspended or released; invalid per_page "500": expected an integer from 1 to 100`,
			[2]string{"status", "must be active, suspended or released"},
			[2]string{"per_page", "must be an integer from 1 to 100"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.do(t, http.MethodGet, "/v1/account/acc_123abc/numbers?"+tt.query, env.key)
			checkResponse(t, rec, http.StatusBadRequest, tt.want)
		})
	}
}

// Over a real connection, as curl sends them: a literal plus, %2B, and an
// empty number segment that must not be redirected.
func TestNumberPathsOverHTTP(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	srv := httptest.NewServer(env.server)
	t.Cleanup(srv.Close)
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	tests := []struct {
		name, path string
		wantStatus int
	}{
		{"literal plus", "/v1/account/acc_123abc/numbers/+14155551234/release-preview", http.StatusOK},
		{"encoded plus", "/v1/account/acc_123abc/numbers/%2B14155551234/release-preview", http.StatusOK},
		{"empty number", "/v1/account/acc_123abc/numbers//release-preview", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+env.key)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
		})
	}
}
