package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool/store/postgres/pgtest"
)

const (
	replicaCount    = 3
	conflictAccount = "acc_replicas"
	rivalAccount    = "acc_rival"
	// requestsPerNumber is how many requests race on each number, each sent
	// through another replica than the one before it.
	requestsPerNumber = 4
)

// call is one request of a race and what came back.
type call struct {
	method  string
	account string
	e164    string
	suffix  string // after the account's numbers path
	body    string
	replica int
	resp    response
	err     error
}

func (c *call) isRelease() bool { return c.method == http.MethodDelete }

func (c *call) isPurchase() bool { return c.suffix == purchasePath }

func (c *call) isCallEvent() bool { return strings.HasSuffix(c.suffix, "/calls") }

func (c *call) isCancel() bool { return strings.HasSuffix(c.suffix, "/cancel-release") }

// purchasePath is the path of a purchase after the account's numbers path.
const purchasePath = "/purchase-from-inventory"

// releaseBody is the part of a release response that the checks compare.
type releaseBody struct {
	Status         string      `json:"status"`
	ReleasedAt     string      `json:"released_at"`
	AvailableAfter string      `json:"available_after"`
	Fee            json.Number `json:"early_termination_fee"`
}

type cancelBody struct {
	Status      string `json:"status"`
	CancelledAt string `json:"release_cancelled_at"`
}

type errorBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

// TestReplicasConflictingRequests fires 200 conflicting requests through
// three replicas at once. Each of 10 numbers gets four releases, and each of
// 10 others two releases and two cancellations. Each of 15 more gets two
// releases and the start of two calls. Each of 15 numbers of the pool gets
// two purchases by each of two accounts. The test then checks that every
// number saw only outcomes that some serial order allows, and that the
// numbers, the calls, the release history and the charges in the database
// agree with the responses.
func TestReplicasConflictingRequests(t *testing.T) {
	db := pgtest.NewDatabase(t)
	replicas := startReplicas(t, db, replicaCount)
	releaseRace := numberRange(3000, 10)
	cancelRace := numberRange(3100, 10)
	callRace := numberRange(3300, 15)
	purchaseRace := numberRange(3200, 15)
	keys := map[string]string{
		conflictAccount: seedAccount(t, db, conflictAccount, slices.Concat(releaseRace, cancelRace, callRace)),
		rivalAccount:    seedAccount(t, db, rivalAccount, nil),
	}
	seedAvailable(t, db, purchaseRace)

	calls := raceCalls(releaseRace, cancelRace, callRace, purchaseRace)
	if len(calls) != 200 {
		t.Fatalf("built %d requests, want 200", len(calls))
	}
	fire(replicas, keys, calls)

	tally := checkResponses(t, calls)
	for _, e164 := range releaseRace {
		if got := tally[e164]; got != (outcome{releases: 1}) {
			t.Errorf("%s: %d releases and %d cancellations succeeded, want 1 release", e164, got.releases, got.cancels)
		}
	}
	for _, e164 := range cancelRace {
		// Successes alternate release, cancel, release, starting with a
		// release, in every serial order of two of each.
		if got := tally[e164]; got.releases < 1 || got.releases-got.cancels < 0 || got.releases-got.cancels > 1 || got.blocked+got.calls > 0 {
			t.Errorf("%s: %d releases and %d cancellations succeeded, which no serial order gives", e164, got.releases, got.cancels)
		}
	}
	for _, e164 := range callRace {
		// Either a release ran first, and the calls found the number
		// released, or a call started first and blocked both releases.
		got := tally[e164]
		if got != (outcome{releases: 1}) && got != (outcome{calls: 2, blocked: 2}) {
			t.Errorf("%s: %d releases succeeded, %d blocked, %d calls started; want 1, 0, 0 or 0, 2, 2",
				e164, got.releases, got.blocked, got.calls)
		}
	}
	for _, e164 := range purchaseRace {
		if got := tally[e164]; got.purchases != 1 {
			t.Errorf("%s: %d purchases succeeded, want 1", e164, got.purchases)
		}
	}
	logOrders(t, tally, cancelRace)
	logBuyers(t, tally, purchaseRace)
	logCallRace(t, tally, callRace)

	conn := connect(t, db)
	checkDatabase(t, conn, calls, slices.Concat(releaseRace, cancelRace, callRace))
	checkCalls(t, conn, tally, callRace)
	checkPurchases(t, conn, tally, purchaseRace)
}

// raceCalls builds the requests of every race. Consecutive requests on one
// number go through different replicas.
func raceCalls(releaseRace, cancelRace, callRace, purchaseRace []string) []*call {
	var calls []*call
	for k, e164 := range releaseRace {
		for j := range requestsPerNumber {
			calls = append(calls, &call{method: http.MethodDelete, account: conflictAccount, e164: e164,
				suffix: "/" + e164, replica: (k + j) % replicaCount})
		}
	}
	for k, e164 := range cancelRace {
		for j := range requestsPerNumber {
			c := &call{method: http.MethodDelete, account: conflictAccount, e164: e164,
				suffix: "/" + e164, replica: (k + j) % replicaCount}
			if j%2 == 1 {
				c.method, c.suffix = http.MethodPost, "/"+e164+"/cancel-release"
			}
			calls = append(calls, c)
		}
	}
	for k, e164 := range callRace {
		for j := range requestsPerNumber {
			c := &call{method: http.MethodDelete, account: conflictAccount, e164: e164,
				suffix: "/" + e164, replica: (k + j) % replicaCount}
			if j%2 == 1 {
				c.method, c.suffix = http.MethodPost, "/"+e164+"/calls"
				c.body = fmt.Sprintf(`{"call_id": "call-%d-%d", "event": "started"}`, k, j)
			}
			calls = append(calls, c)
		}
	}
	for k, e164 := range purchaseRace {
		for j := range requestsPerNumber {
			account := conflictAccount
			if j%2 == 1 {
				account = rivalAccount
			}
			calls = append(calls, &call{method: http.MethodPost, account: account, e164: e164, suffix: purchasePath,
				body: fmt.Sprintf(`{"e164": %q, "country": "US"}`, e164), replica: (k + j) % replicaCount})
		}
	}
	return calls
}

// logOrders logs how the release and cancel races ended, to show that the
// run made both orders happen.
func logOrders(t *testing.T, tally map[string]outcome, numbers []string) {
	counts := make(map[outcome]int)
	for _, e164 := range numbers {
		counts[tally[e164]]++
	}
	for o, n := range counts {
		t.Logf("release and cancel race: %d numbers with %d releases and %d cancellations succeeded", n, o.releases, o.cancels)
	}
}

// logBuyers logs how many purchase races each account won.
func logBuyers(t *testing.T, tally map[string]outcome, numbers []string) {
	wins := make(map[string]int)
	for _, e164 := range numbers {
		wins[tally[e164].buyer]++
	}
	t.Logf("purchase race: %s won %d numbers, %s won %d", conflictAccount, wins[conflictAccount], rivalAccount, wins[rivalAccount])
}

// fire sends every call at once, each from its own goroutine, released
// together so that the requests on one number overlap.
func fire(replicas []*replica, keys map[string]string, calls []*call) {
	client := newClient()
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
	defer cancel()

	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			url := fmt.Sprintf("%s/v1/account/%s/numbers%s", replicas[c.replica].baseURL, c.account, c.suffix)
			<-start
			c.resp, c.err = send(ctx, client, c.method, url, keys[c.account], c.body)
		})
	}
	close(start)
	wg.Wait()
}

// outcome counts the successful requests on one number and the releases
// that a call blocked, and names the account whose purchase succeeded.
type outcome struct {
	releases, cancels, purchases, calls, blocked int
	buyer                                        string
}

// checkResponses checks that every call got 200 (201 for a purchase) with
// the right status field, 409 CONFLICT, or 400 RELEASE_BLOCKED for a
// release, and counts the outcomes per number.
func checkResponses(t *testing.T, calls []*call) map[string]outcome {
	t.Helper()
	tally := make(map[string]outcome)
	for _, c := range calls {
		name := fmt.Sprintf("%s %s%s by %s via replica %d", c.method, c.e164, c.suffix, c.account, c.replica)
		if c.err != nil {
			t.Errorf("%s: %v", name, c.err)
			continue
		}

		o := tally[c.e164]
		switch {
		case c.resp.status == http.StatusConflict:
			var body errorBody
			if err := json.Unmarshal(c.resp.body, &body); err != nil || body.Error.Code != "CONFLICT" {
				t.Errorf("%s: 409 with body %s, want code CONFLICT", name, c.resp.body)
			}
		case c.isRelease() && c.resp.status == http.StatusBadRequest:
			o.blocked++
			var body errorBody
			if err := json.Unmarshal(c.resp.body, &body); err != nil || body.Error.Code != "RELEASE_BLOCKED" {
				t.Errorf("%s: 400 with body %s, want code RELEASE_BLOCKED", name, c.resp.body)
			}
		case c.isCallEvent() && c.resp.status == http.StatusOK:
			o.calls++
		case c.isPurchase() && c.resp.status == http.StatusCreated:
			o.purchases++
			o.buyer = c.account
			checkStatus(t, name, c.resp.body, &cancelBody{}, "active")
		case c.isRelease() && c.resp.status == http.StatusOK:
			o.releases++
			checkStatus(t, name, c.resp.body, &releaseBody{}, "released")
		case c.isCancel() && c.resp.status == http.StatusOK:
			o.cancels++
			checkStatus(t, name, c.resp.body, &cancelBody{}, "active")
		default:
			t.Errorf("%s: status %d, body %s; want success or 409", name, c.resp.status, c.resp.body)
		}
		tally[c.e164] = o
	}
	return tally
}

// checkStatus decodes body into v and compares its status field.
func checkStatus(t *testing.T, name string, body []byte, v any, want string) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Errorf("%s: decode %s: %v", name, body, err)
		return
	}
	var got string
	switch b := v.(type) {
	case *releaseBody:
		got = b.Status
	case *cancelBody:
		got = b.Status
	}
	if got != want {
		t.Errorf("%s: status field %q, want %q", name, got, want)
	}
}

// checkDatabase compares the release history, the charges and the final
// rows with the successful responses.
func checkDatabase(t *testing.T, conn dbConn, calls []*call, numbers []string) {
	t.Helper()
	var wantReleases, wantCancels []string
	for _, c := range calls {
		if c.err != nil || c.resp.status != http.StatusOK || !(c.isRelease() || c.isCancel()) {
			continue
		}
		if c.isRelease() {
			var b releaseBody
			json.Unmarshal(c.resp.body, &b)
			wantReleases = append(wantReleases, fmt.Sprintf("%s released_at=%s available_after=%s fee=%s", c.e164, b.ReleasedAt, b.AvailableAfter, b.Fee))
		} else {
			var b cancelBody
			json.Unmarshal(c.resp.body, &b)
			wantCancels = append(wantCancels, fmt.Sprintf("%s cancelled_at=%s", c.e164, b.CancelledAt))
		}
	}

	h := readHistory(t, conn, numbers)
	slices.Sort(wantReleases)
	slices.Sort(wantCancels)
	if diff := cmp.Diff(wantReleases, h.releases); diff != "" {
		t.Errorf("releases table does not match the release responses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantCancels, h.cancels); diff != "" {
		t.Errorf("cancelled releases do not match the cancel responses (-want +got):\n%s", diff)
	}
	for _, problem := range h.problems {
		t.Error(problem)
	}
}

// history is what the database holds about the account's releases, in the
// form of the responses, and the inconsistencies found on the way.
type history struct {
	releases []string // sorted
	cancels  []string // sorted
	problems []string
}

// readHistory reads the releases with their charges, and checks each
// number's row against its latest release.
func readHistory(t *testing.T, conn dbConn, numbers []string) history {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `
		SELECT r.id, r.e164, r.released_at, r.available_after, r.early_termination_fee_cents, r.cancelled_at,
		       c.amount_cents, c.kind, c.voided_at IS NOT NULL
		FROM releases r LEFT JOIN charges c ON c.release_id = r.id
		WHERE r.account_id = $1
		ORDER BY r.id`, conflictAccount)
	if err != nil {
		t.Fatalf("read releases: %v", err)
	}
	defer rows.Close()

	var h history
	latest := make(map[string]releaseRow)
	for rows.Next() {
		var r releaseRow
		if err := rows.Scan(&r.id, &r.e164, &r.releasedAt, &r.availableAfter, &r.feeCents, &r.cancelledAt,
			&r.chargeCents, &r.chargeKind, &r.chargeVoided); err != nil {
			t.Fatalf("scan release: %v", err)
		}
		h.releases = append(h.releases, fmt.Sprintf("%s released_at=%s available_after=%s fee=%d.%02d",
			r.e164, unix(r.releasedAt), unix(r.availableAfter), r.feeCents/100, r.feeCents%100))
		if r.cancelledAt != nil {
			h.cancels = append(h.cancels, fmt.Sprintf("%s cancelled_at=%s", r.e164, unix(*r.cancelledAt)))
		}
		h.problems = append(h.problems, r.chargeProblems()...)
		latest[r.e164] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read releases: %v", err)
	}

	slices.Sort(h.releases)
	slices.Sort(h.cancels)
	h.problems = append(h.problems, checkCharges(t, conn, len(h.releases))...)
	h.problems = append(h.problems, checkNumbers(t, conn, numbers, latest)...)
	return h
}

// releaseRow is one row of the releases table with the charge that
// references it, if any.
type releaseRow struct {
	id                         int64
	e164                       string
	releasedAt, availableAfter int64
	feeCents                   int64
	cancelledAt                *int64
	chargeCents                *int64
	chargeKind                 *string
	chargeVoided               *bool
}

// chargeProblems checks that the release has its fee charged, voided exactly
// when the release was cancelled.
func (r releaseRow) chargeProblems() []string {
	name := fmt.Sprintf("release %d of %s", r.id, r.e164)
	if r.chargeCents == nil {
		if r.feeCents == 0 {
			return nil
		}
		return []string{fmt.Sprintf("%s owes %d cents but has no charge", name, r.feeCents)}
	}

	var problems []string
	if *r.chargeCents != r.feeCents || *r.chargeCents != int64(defaultFee) {
		problems = append(problems, fmt.Sprintf("%s: charge of %d cents, fee %d, want both %d", name, *r.chargeCents, r.feeCents, defaultFee))
	}
	if *r.chargeKind != "early_termination_fee" {
		problems = append(problems, fmt.Sprintf("%s: charge kind %q, want early_termination_fee", name, *r.chargeKind))
	}
	if cancelled := r.cancelledAt != nil; *r.chargeVoided != cancelled {
		problems = append(problems, fmt.Sprintf("%s: charge voided=%t but release cancelled=%t", name, *r.chargeVoided, cancelled))
	}
	return problems
}

// checkCharges checks that the account has no early termination fee besides
// those of its releases.
func checkCharges(t *testing.T, conn dbConn, releases int) []string {
	t.Helper()
	var count int
	err := conn.QueryRow(context.Background(), `
		SELECT count(*) FROM charges WHERE account_id = $1 AND kind = 'early_termination_fee'`, conflictAccount).Scan(&count)
	if err != nil {
		t.Fatalf("count charges: %v", err)
	}
	if count != releases {
		return []string{fmt.Sprintf("account has %d charges for %d releases, want one each", count, releases)}
	}
	return nil
}

// checkNumbers checks that each number is released exactly when its latest
// release was not cancelled, and then points at that release. A number that
// was never released stays active.
func checkNumbers(t *testing.T, conn dbConn, numbers []string, latest map[string]releaseRow) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		SELECT e164, status, account_id, release_id, released_at, available_after
		FROM numbers WHERE account_id = $1 AND e164 = ANY($2) ORDER BY e164`, conflictAccount, numbers)
	if err != nil {
		t.Fatalf("read numbers: %v", err)
	}
	defer rows.Close()

	var problems []string
	seen := 0
	for rows.Next() {
		var e164, status, owner string
		var releaseID, releasedAt, availableAfter *int64
		if err := rows.Scan(&e164, &status, &owner, &releaseID, &releasedAt, &availableAfter); err != nil {
			t.Fatalf("scan number: %v", err)
		}
		seen++
		r, released := latest[e164]
		if !released {
			if status != "active" || releaseID != nil {
				problems = append(problems, fmt.Sprintf("%s: status %s with release %v, want active because no release succeeded", e164, status, deref(releaseID)))
			}
			continue
		}

		wantStatus := "released"
		if r.cancelledAt != nil {
			wantStatus = "active"
		}
		if status != wantStatus {
			problems = append(problems, fmt.Sprintf("%s: status %s, want %s after its latest release", e164, status, wantStatus))
		}
		if wantStatus == "released" && (releaseID == nil || *releaseID != r.id || *releasedAt != r.releasedAt || *availableAfter != r.availableAfter) {
			problems = append(problems, fmt.Sprintf("%s: row points at release %v, want %d with its times", e164, deref(releaseID), r.id))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read numbers: %v", err)
	}
	if seen != len(numbers) {
		problems = append(problems, fmt.Sprintf("account holds %d of its %d numbers", seen, len(numbers)))
	}
	return problems
}

func unix(seconds int64) string {
	return time.Unix(seconds, 0).UTC().Format(time.RFC3339)
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// checkPurchases checks that each number of the purchase race belongs to the
// account whose purchase succeeded, which was charged the setup fee once.
func checkPurchases(t *testing.T, conn dbConn, tally map[string]outcome, numbers []string) {
	t.Helper()
	ctx := context.Background()
	for _, e164 := range numbers {
		want := tally[e164].buyer
		var status, owner string
		err := conn.QueryRow(ctx, `SELECT status, coalesce(account_id, '') FROM numbers WHERE e164 = $1`, e164).Scan(&status, &owner)
		if err != nil {
			t.Fatalf("read number %s: %v", e164, err)
		}
		if status != "active" || owner != want {
			t.Errorf("%s: status %s owned by %q, want active owned by %q", e164, status, owner, want)
		}

		var charges []string
		rows, err := conn.Query(ctx, `
			SELECT account_id, amount_cents FROM charges WHERE e164 = $1 AND kind = 'setup_fee' ORDER BY id`, e164)
		if err != nil {
			t.Fatalf("read setup fees of %s: %v", e164, err)
		}
		for rows.Next() {
			var account string
			var cents int64
			if err := rows.Scan(&account, &cents); err != nil {
				t.Fatalf("scan setup fee: %v", err)
			}
			charges = append(charges, fmt.Sprintf("%s %d", account, cents))
		}
		rows.Close()
		if diff := cmp.Diff([]string{fmt.Sprintf("%s %d", want, setupFee)}, charges); diff != "" {
			t.Errorf("%s: setup fee charges differ (-want +got):\n%s", e164, diff)
		}
	}
}

// logCallRace logs how many call races a release won.
func logCallRace(t *testing.T, tally map[string]outcome, numbers []string) {
	released := 0
	for _, e164 := range numbers {
		released += tally[e164].releases
	}
	t.Logf("call and release race: the release won on %d numbers, the calls on %d", released, len(numbers)-released)
}

// checkCalls checks that the calls table holds an open call for each
// started call that the API confirmed, and none on a number that a release
// won.
func checkCalls(t *testing.T, conn dbConn, tally map[string]outcome, numbers []string) {
	t.Helper()
	for _, e164 := range numbers {
		var open int
		err := conn.QueryRow(context.Background(), `
			SELECT count(*) FROM calls WHERE e164 = $1 AND started_at IS NOT NULL AND ended_at IS NULL`, e164).Scan(&open)
		if err != nil {
			t.Fatalf("count calls of %s: %v", e164, err)
		}
		if want := tally[e164].calls; open != want {
			t.Errorf("%s: %d open calls in the database, want the %d that the API confirmed", e164, open, want)
		}
	}
}
