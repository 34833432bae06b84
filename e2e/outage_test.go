package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"numberpool/store/postgres/pgtest"
)

// Bounds on waiting for a replica to reach the database again after the
// outage. Retry-After tells clients to wait 2 seconds, but the test polls
// faster, at most reconnectAttempts times.
const (
	reconnectAttempts = 50
	reconnectInterval = 100 * time.Millisecond
)

// TestReplicaSurvivesDatabaseOutage runs a replica whose database
// connections pass through a proxy, then cuts them and refuses new ones for a
// while. It checks that the replica returns 503 with Retry-After meanwhile,
// and that it serves again, with nothing half-applied, once the database is back.
func TestReplicaSurvivesDatabaseOutage(t *testing.T) {
	db := pgtest.NewDatabase(t)
	direct, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	if !isLoopback(direct.Hostname()) {
		t.Skipf("the test PostgreSQL server %s is not on a loopback address, and the proxy only forwards to one", direct.Host)
	}
	p := startProxy(t, direct.Host)
	proxied := *direct
	proxied.Host = p.addr

	r := startReplicas(t, proxied.String(), 1)[0]
	numbers := numberRange(4000, 2)
	key := seedAccount(t, db, conflictAccount, numbers)
	released, untouched := numberPath(r, numbers[0]), numberPath(r, numbers[1])

	client := newClient()
	defer client.CloseIdleConnections()
	checkStatusCode(t, client, http.MethodGet, r.baseURL+"/healthz", "", http.StatusOK)
	checkStatusCode(t, client, http.MethodGet, untouched+"/release-preview", key, http.StatusOK)

	p.close()
	for _, req := range []struct{ method, url, key string }{
		{http.MethodGet, r.baseURL + "/healthz", ""},
		{http.MethodGet, untouched + "/release-preview", key},
		{http.MethodDelete, released, key},
		{http.MethodPost, untouched + "/cancel-release", key},
	} {
		checkUnavailable(t, client, req.method, req.url, req.key)
	}

	if err := p.open(); err != nil {
		t.Fatalf("reopen proxy on %s: %v", p.addr, err)
	}
	waitHealthy(t, client, r.baseURL+"/healthz")

	// The release refused during the outage left the number active, so it
	// succeeds now, once.
	checkStatusCode(t, client, http.MethodGet, released, key, http.StatusOK)
	checkNumberStatus(t, client, released, key, "active")
	checkStatusCode(t, client, http.MethodDelete, released, key, http.StatusOK)
	checkNumberStatus(t, client, released, key, "released")
	checkNumberStatus(t, client, untouched, key, "active")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func numberPath(r *replica, e164 string) string {
	return r.baseURL + "/v1/account/" + conflictAccount + "/numbers/" + e164
}

// checkStatusCode sends one request and fails t unless it gets want.
func checkStatusCode(t *testing.T, client *http.Client, method, url, key string, want int) response {
	t.Helper()
	resp, err := send(context.Background(), client, method, url, key, "")
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if resp.status != want {
		t.Errorf("%s %s: status %d, body %s; want %d", method, url, resp.status, resp.body, want)
	}
	return resp
}

// checkUnavailable checks that a request gets 503 SERVICE_UNAVAILABLE with a
// Retry-After in seconds.
func checkUnavailable(t *testing.T, client *http.Client, method, url, key string) {
	t.Helper()
	resp := checkStatusCode(t, client, method, url, key, http.StatusServiceUnavailable)
	var body errorBody
	if err := json.Unmarshal(resp.body, &body); err != nil || body.Error.Code != "SERVICE_UNAVAILABLE" {
		t.Errorf("%s %s: body %s, want code SERVICE_UNAVAILABLE", method, url, resp.body)
	}
	if got := resp.header.Get("Retry-After"); got != "2" {
		t.Errorf("%s %s: Retry-After %q, want \"2\"", method, url, got)
	}
}

// waitHealthy polls url until it returns 200. The first requests after the
// outage may still meet pooled connections that the outage cut.
func waitHealthy(t *testing.T, client *http.Client, url string) {
	t.Helper()
	var last response
	for attempt := 1; attempt <= reconnectAttempts; attempt++ {
		resp, err := send(context.Background(), client, http.MethodGet, url, "", "")
		if err == nil && resp.status == http.StatusOK {
			t.Logf("healthy again after %d requests", attempt)
			return
		}
		last = resp
		time.Sleep(reconnectInterval)
	}
	t.Fatalf("GET %s: no 200 within %d requests after the database came back; last status %d, body %s",
		url, reconnectAttempts, last.status, last.body)
}

// checkNumberStatus reads the number and compares its status.
func checkNumberStatus(t *testing.T, client *http.Client, url, key, want string) {
	t.Helper()
	resp := checkStatusCode(t, client, http.MethodGet, url, key, http.StatusOK)
	var n struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(resp.body, &n); err != nil || n.Status != want {
		t.Errorf("GET %s: body %s, want status %q", url, resp.body, want)
	}
}
