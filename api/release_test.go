package api

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"numberpool"
)

// The three requests of the public release page, with its example bodies.
func TestReleasePageExamples(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	rec := env.do(t, http.MethodGet, "/v1/account/acc_123abc/numbers/+14155551234/release-preview", env.key)
	checkResponse(t, rec, http.StatusOK, `{
		"e164": "+14155551234",
		"can_release": true,
		"early_termination_fee": 0.00,
		"currency": "USD",
		"cooling_off_period_days": 30,
		"warnings": []
	}`)

	rec = env.do(t, http.MethodDelete, "/v1/account/acc_123abc/numbers/+14155551234", env.key)
	checkResponse(t, rec, http.StatusOK, `{
		"e164": "+14155551234",
		"status": "released",
		"released_at": "2026-04-09T11:45:00Z",
		"early_termination_fee": 0.00,
		"currency": "USD",
		"cooling_off_period_days": 30,
		"available_after": "2026-05-09T11:45:00Z"
	}`)

	env.clock.Set(time.Date(2026, 4, 9, 12, 0, 0, 0, time.UTC))
	rec = env.do(t, http.MethodPost, "/v1/account/acc_123abc/numbers/+14155551234/cancel-release", env.key)
	checkResponse(t, rec, http.StatusOK, `{
		"e164": "+14155551234",
		"status": "active",
		"release_cancelled_at": "2026-04-09T12:00:00Z",
		"message": "Number release cancelled successfully",
		"warnings": []
	}`)
}

func TestPreviewFee(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		purchasedAt time.Time
		want        string
	}{
		{
			name:        "year ago",
			purchasedAt: t0.AddDate(-1, 0, 0),
			want: `{"e164": "+14155551234", "can_release": true, "early_termination_fee": 0.00,
				"currency": "USD", "cooling_off_period_days": 30, "warnings": []}`,
		},
		{
			name:        "six weeks ago",
			purchasedAt: t0.AddDate(0, 0, -42),
			want: `{"e164": "+14155551234", "can_release": true, "early_termination_fee": 25.00,
				"currency": "USD", "cooling_off_period_days": 30,
				"warnings": ["This number was purchased less than 3 months ago and has a $25.00 early termination fee"]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			env.addNumbers(t, activeNumber(number, accountID, tt.purchasedAt))

			rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
			checkResponse(t, rec, http.StatusOK, tt.want)
		})
	}
}

// A number bought on 30 November completes a 3-month term at the same time of
// day on the last day of February.
func TestFeeClampsToMonthEnd(t *testing.T) {
	t.Parallel()
	purchasedAt := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	const early, onTime = "+14155550101", "+14155550102"
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(early, accountID, purchasedAt), activeNumber(onTime, accountID, purchasedAt))

	env.clock.Set(time.Date(2027, 2, 28, 9, 59, 59, 0, time.UTC))
	rec := env.do(t, http.MethodGet, numberURL(accountID, early, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155550101", "can_release": true,
		"early_termination_fee": 25.00, "currency": "USD", "cooling_off_period_days": 30,
		"warnings": ["This number was purchased less than 3 months ago and has a $25.00 early termination fee"]}`)
	rec = env.do(t, http.MethodDelete, numberURL(accountID, early, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155550101", "status": "released",
		"released_at": "2027-02-28T09:59:59Z", "early_termination_fee": 25.00, "currency": "USD",
		"cooling_off_period_days": 30, "available_after": "2027-03-30T09:59:59Z"}`)

	env.clock.Set(time.Date(2027, 2, 28, 10, 0, 0, 0, time.UTC))
	rec = env.do(t, http.MethodGet, numberURL(accountID, onTime, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155550102", "can_release": true,
		"early_termination_fee": 0.00, "currency": "USD", "cooling_off_period_days": 30, "warnings": []}`)
	rec = env.do(t, http.MethodDelete, numberURL(accountID, onTime, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155550102", "status": "released",
		"released_at": "2027-02-28T10:00:00Z", "early_termination_fee": 0.00, "currency": "USD",
		"cooling_off_period_days": 30, "available_after": "2027-03-30T10:00:00Z"}`)
}

// releasedEnv returns an environment whose account released number at t0.
func releasedEnv(t *testing.T) *testEnv {
	t.Helper()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))
	rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	if rec.Code != http.StatusOK {
		t.Fatalf("release: status %d, body %s", rec.Code, rec.Body.String())
	}
	return env
}

func TestReleaseTwiceConflicts(t *testing.T) {
	t.Parallel()
	env := releasedEnv(t)
	env.clock.Advance(time.Hour)

	rec := env.do(t, http.MethodDelete, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"number +14155551234 is already in the process of being released. The release can be cancelled until 2026-05-09T11:45:00Z"))
}

func TestPreviewOfReleasedNumber(t *testing.T) {
	t.Parallel()
	env := releasedEnv(t)
	env.clock.Advance(time.Hour)

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, "/release-preview"), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "can_release": false,
		"early_termination_fee": 0.00, "currency": "USD", "cooling_off_period_days": 30,
		"warnings": ["This number was released at 2026-04-09T11:45:00Z. The release can be cancelled until 2026-05-09T11:45:00Z."]}`)
}

func TestCancelOfActiveNumberConflicts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	rec := env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
	checkResponse(t, rec, http.StatusConflict, errorBody(numberpool.CodeConflict,
		"number +14155551234 is not released, so there is no release to cancel"))
}

// Once available_after has passed, the number is back in the pool even though
// no sweeper has rewritten its row.
func TestAfterCoolingOffNumberIsGone(t *testing.T) {
	t.Parallel()
	availableAfter := time.Date(2026, 5, 9, 11, 45, 0, 0, time.UTC)

	t.Run("last second", func(t *testing.T) {
		t.Parallel()
		env := releasedEnv(t)
		env.clock.Set(availableAfter.Add(-time.Second))

		rec := env.do(t, http.MethodPost, numberURL(accountID, number, "/cancel-release"), env.key)
		checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "status": "active",
			"release_cancelled_at": "2026-05-09T11:44:59Z", "message": "Number release cancelled successfully",
			"warnings": []}`)
	})

	requests := []struct {
		name, method, suffix string
	}{
		{"cancel", http.MethodPost, "/cancel-release"},
		{"get", http.MethodGet, ""},
		{"preview", http.MethodGet, "/release-preview"},
		{"release", http.MethodDelete, ""},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			env := releasedEnv(t)
			env.clock.Set(availableAfter)

			rec := env.do(t, r.method, numberURL(accountID, number, r.suffix), env.key)
			checkResponse(t, rec, http.StatusNotFound, notFoundBody(number))
		})
	}
}

// concurrentStatuses sends n copies of one request at once through the
// server and counts the statuses.
func concurrentStatuses(t *testing.T, env *testEnv, n int, method, target string) map[int]int {
	t.Helper()
	statuses := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req := httptest.NewRequest(method, target, nil)
			req.Header.Set("Authorization", "Bearer "+env.key)
			<-start
			statuses <- env.send(req).Code
		})
	}
	close(start)
	wg.Wait()
	close(statuses)

	counts := map[int]int{}
	for status := range statuses {
		counts[status]++
	}
	return counts
}

func TestConcurrentReleasesOneWins(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.addNumbers(t, activeNumber(number, accountID, t0.AddDate(-1, 0, 0)))

	counts := concurrentStatuses(t, env, 100, http.MethodDelete, numberURL(accountID, number, ""))
	if want := map[int]int{http.StatusOK: 1, http.StatusConflict: 99}; !maps.Equal(counts, want) {
		t.Errorf("status counts = %v, want %v", counts, want)
	}

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "released", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": null,
		"application_id": null, "created_at": "2025-04-09T11:45:00Z", "updated_at": "2026-04-09T11:45:00Z",
		"active_calls": 0, "release_protection": false, "holds": [],
		"released_at": "2026-04-09T11:45:00Z", "available_after": "2026-05-09T11:45:00Z"}`)
}

func TestConcurrentCancelsOneWins(t *testing.T) {
	t.Parallel()
	env := releasedEnv(t)
	env.clock.Advance(15 * time.Minute)

	counts := concurrentStatuses(t, env, 100, http.MethodPost, numberURL(accountID, number, "/cancel-release"))
	if want := map[int]int{http.StatusOK: 1, http.StatusConflict: 99}; !maps.Equal(counts, want) {
		t.Errorf("status counts = %v, want %v", counts, want)
	}

	rec := env.do(t, http.MethodGet, numberURL(accountID, number, ""), env.key)
	checkResponse(t, rec, http.StatusOK, `{"e164": "+14155551234", "country": "US", "type": "local",
		"region": "CA", "status": "active", "capabilities": ["voice", "sms", "mms"],
		"monthly_fee": 1.25, "setup_fee": 0.00, "currency": "USD", "trunk_id": null,
		"application_id": null, "created_at": "2025-04-09T11:45:00Z", "updated_at": "2026-04-09T12:00:00Z",
		"active_calls": 0, "release_protection": false, "holds": []}`)
}
