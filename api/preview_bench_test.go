package api

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkPreviewRoute measures a release preview through the whole
// server: request id, authentication, the store's read, the JSON body, the
// request's log line and its metrics.
func BenchmarkPreviewRoute(b *testing.B) {
	env := newTestEnv(b)
	env.addNumbers(b, activeNumber("+14155550001", accountID, t0.Add(-42*24*time.Hour)))
	target := numberURL(accountID, "+14155550001", "/release-preview")
	b.ReportAllocs()
	for b.Loop() {
		if rec := env.do(b, http.MethodGet, target, env.key); rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d, body %s", target, rec.Code, rec.Body)
		}
	}
}
