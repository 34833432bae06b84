package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// maxBodyBytes caps every request body. The routes of the release API take
// no body, and 1 MiB is far above any JSON body the later routes accept.
const maxBodyBytes = 1 << 20

// maxRequestIDLength bounds a client's X-Request-Id. A longer one is
// replaced, so that logs cannot be flooded through the header.
const maxRequestIDLength = 64

// requestInfo gathers what the request log line reports. Each request has its
// own, written and read only by the goroutine that serves the request.
type requestInfo struct {
	id        string
	route     string // the matched pattern, or one of the route* labels
	accountID string // set once an API key is authenticated
}

type requestInfoKey struct{}

// infoFrom returns the request's info. Outside the middleware it returns a
// fresh value, so that handlers never need a nil check.
func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

func setRoute(r *http.Request, route string) {
	infoFrom(r.Context()).route = route
}

func setAccountID(r *http.Request, accountID string) {
	infoFrom(r.Context()).accountID = accountID
}

// withRequestInfo assigns the request id, echoes it in the X-Request-Id
// response header and stores the request's info in its context.
func (s *Server) withRequestInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &requestInfo{id: requestID(r.Header.Get("X-Request-Id"))}
		w.Header().Set("X-Request-Id", info.id)

		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestID returns the client's id when it is 1 to 64 printable ASCII
// characters without spaces, else a new random one.
func requestID(clientID string) string {
	if len(clientID) == 0 || len(clientID) > maxRequestIDLength {
		return newRequestID()
	}
	for i := 0; i < len(clientID); i++ {
		if clientID[i] <= ' ' || clientID[i] > '~' {
			return newRequestID()
		}
	}
	return clientID
}

// newRequestID returns 32 hex digits from crypto/rand.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// withObservation turns a panic into a 500 response, then logs the request
// and records its metrics.
func (s *Server) withObservation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}

		defer func() {
			recovered := recover()
			if recovered != nil {
				s.recoverPanic(rec, r, recovered)
			}
			s.observe(r, rec.status(), time.Since(start))
			if recovered == http.ErrAbortHandler {
				// net/http aborts the response quietly on this value.
				panic(recovered)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

func (s *Server) recoverPanic(w *statusRecorder, r *http.Request, recovered any) {
	if recovered == http.ErrAbortHandler {
		return
	}

	info := infoFrom(r.Context())
	s.logger.ErrorContext(r.Context(), "handler panicked",
		slog.String("panic", fmt.Sprint(recovered)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("request_id", info.id),
		slog.String("stack", string(debug.Stack())))

	// Once the header is out, the client gets a cut response and nothing
	// better can be sent.
	if w.code == 0 {
		writeErrorBody(w, http.StatusInternalServerError, internalError())
	}
}

// observe writes the request's log line and metrics.
func (s *Server) observe(r *http.Request, status int, elapsed time.Duration) {
	info := infoFrom(r.Context())
	// LogAttrs takes the attributes as they are, without the conversion of
	// loose key-value arguments that InfoContext makes on every request.
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("route", info.route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("account_id", info.accountID),
		slog.String("request_id", info.id))

	s.metrics.observe(info.route, status, elapsed)
}

// withDeadline ends the request's context after the server's request
// timeout, so that a store call still running then stops and the client
// gets an error in place of a response cut by the write timeout.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	if s.requestTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.requestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withBodyLimit caps the request body at maxBodyBytes. A read past the cap
// fails with *http.MaxBytesError, which writeError maps to a 400.
func (s *Server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status code written through it.
type statusRecorder struct {
	http.ResponseWriter
	code int // 0 until the header is written
}

func (w *statusRecorder) WriteHeader(code int) {
	// 1xx responses are interim: the final status comes later.
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// status returns the status sent, or 200 when the handler wrote nothing,
// which net/http then sends.
func (w *statusRecorder) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
