package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
	"numberpool/store/sqlite"
)

// t0 is the time of the release in the public release page's examples.
var t0 = time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)

// The accounts every test environment holds.
const (
	accountID      = "acc_123abc"
	otherAccountID = "acc_other"
	number         = "+14155551234"
)

// testEnv is a Server over a real SQLite file, with a manual clock and a log
// that tests can read.
type testEnv struct {
	clock    *numberpool.ManualClock
	store    *sqlite.Store
	server   *Server
	logs     *logBuffer
	key      string // API key of accountID
	otherKey string // API key of otherAccountID
}

// newTestEnv opens a fresh store at t0 with two accounts and their keys.
// wrap, when given, wraps the store that the server uses, to inject faults.
func newTestEnv(tb testing.TB, wrap ...func(numberpool.Store) numberpool.Store) *testEnv {
	tb.Helper()
	ctx := context.Background()
	clock := numberpool.NewManualClock(t0)

	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "numberpool.db"), sqlite.Options{
		Clock:    clock,
		Policies: numberpool.Policies{Default: numberpool.DefaultPolicy},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })

	env := &testEnv{clock: clock, store: store, logs: &logBuffer{}}
	env.key = env.addAccount(tb, accountID)
	env.otherKey = env.addAccount(tb, otherAccountID)

	var served numberpool.Store = store
	for _, w := range wrap {
		served = w(served)
	}
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env.server = New(Options{Store: served, Clock: clock, Logger: logger})
	return env
}

// addAccount creates an account with one live key and returns the key.
func (e *testEnv) addAccount(tb testing.TB, id string) string {
	tb.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateAccount(ctx, id); err != nil {
		tb.Fatalf("create account %s: %v", id, err)
	}
	key := numberpool.NewAPIKey(numberpool.LiveKeyPrefix)
	if err := e.store.CreateAPIKey(ctx, id, numberpool.HashAPIKey(key)); err != nil {
		tb.Fatalf("create API key of %s: %v", id, err)
	}
	return key
}

// addNumbers imports numbers into the store.
func (e *testEnv) addNumbers(tb testing.TB, numbers ...numberpool.Number) {
	tb.Helper()
	if _, err := e.store.ImportNumbers(context.Background(), slices.Values(numbers)); err != nil {
		tb.Fatalf("import numbers: %v", err)
	}
}

// activeNumber returns a California local number held by owner since
// purchasedAt, routed to no trunk or application.
func activeNumber(e164, owner string, purchasedAt time.Time) numberpool.Number {
	return numberpool.Number{
		E164:         e164,
		Country:      "US",
		Type:         numberpool.TypeLocal,
		Region:       "CA",
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS, numberpool.CapabilityMMS},
		MonthlyFee:   125,
		Status:       numberpool.StatusActive,
		AccountID:    owner,
		PurchasedAt:  purchasedAt,
	}
}

// availableNumber returns a number of the pool without an owner.
func availableNumber(e164 string) numberpool.Number {
	n := activeNumber(e164, "", time.Time{})
	n.Status = numberpool.StatusAvailable
	return n
}

// do sends a request through the server. key, when not empty, goes in an
// "Authorization: Bearer" header.
func (e *testEnv) do(tb testing.TB, method, target, key string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.send(req)
}

func (e *testEnv) send(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	return rec
}

// numberURL returns the path of a number of account, with suffix appended.
func numberURL(account, e164, suffix string) string {
	return "/v1/account/" + account + "/numbers/" + e164 + suffix
}

// checkResponse compares the status, the Content-Type and the whole JSON body
// of rec with the expected ones. want is JSON text or a value that encodes to
// JSON. Numbers are compared as written, so 25.00 does not match 25, and
// every field must be present with the right type and no other.
func checkResponse(tb testing.TB, rec *httptest.ResponseRecorder, wantStatus int, want any) {
	tb.Helper()
	if rec.Code != wantStatus {
		tb.Errorf("status = %d, want %d (body %s)", rec.Code, wantStatus, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		tb.Errorf("Content-Type = %q, want application/json", got)
	}

	wantText, ok := want.(string)
	if !ok {
		encoded, err := json.Marshal(want)
		if err != nil {
			tb.Fatalf("encode expected body: %v", err)
		}
		wantText = string(encoded)
	}
	if diff := cmp.Diff(decodeJSON(tb, wantText), decodeJSON(tb, rec.Body.String())); diff != "" {
		tb.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

// decodeJSON decodes text with numbers kept as their literal text. Text that
// is not one JSON value comes back as is, so that the diff shows it.
func decodeJSON(tb testing.TB, text string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "invalid JSON: " + text
	}
	if _, err := dec.Token(); err != io.EOF {
		return "trailing data after JSON: " + text
	}
	return v
}

// errorBody returns the API's error object. details are field and reason
// pairs.
func errorBody(code numberpool.Code, message string, details ...[2]string) map[string]any {
	list := []any{}
	for _, d := range details {
		list = append(list, map[string]any{"field": d[0], "reason": d[1]})
	}
	return map[string]any{"error": map[string]any{"code": string(code), "message": message, "details": list}}
}

// notFoundBody is the body of a number the account does not hold.
func notFoundBody(e164 string) map[string]any {
	return errorBody(numberpool.CodeNotFound, "number "+e164+" not found in your account")
}

// e164Reason is the documented reason of a malformed number.
const e164Reason = "must be E.164 format (e.g., +14155551234)"

// invalidNumberBody is the body of a malformed number in a path.
func invalidNumberBody(value string) map[string]any {
	message := "invalid phone number " + quote(value) +
		": expected E.164 format, a plus sign and up to 15 digits with the country code (e.g., +14155551234)"
	return errorBody(numberpool.CodeValidationFailed, message, [2]string{"e164", e164Reason})
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// logBuffer collects JSON log lines. It is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records returns the log records written so far.
func (b *logBuffer) records(tb testing.TB) []map[string]any {
	tb.Helper()
	var records []map[string]any
	for line := range strings.Lines(b.String()) {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			tb.Fatalf("decode log line %q: %v", line, err)
		}
		records = append(records, record)
	}
	return records
}

// recordsWithMessage returns the log records whose message is msg.
func (b *logBuffer) recordsWithMessage(tb testing.TB, msg string) []map[string]any {
	tb.Helper()
	var found []map[string]any
	for _, r := range b.records(tb) {
		if r["msg"] == msg {
			found = append(found, r)
		}
	}
	return found
}
