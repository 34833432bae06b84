// Package api serves the public HTTP API of numberpool: routing, API key
// authentication, JSON encoding of the wire types and the mapping of
// numberpool error codes to HTTP responses. It holds no SQL and reaches the
// data only through a numberpool.Store.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"numberpool"
	"numberpool/internal/boundedcache"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures a Server.
type Options struct {
	Store  numberpool.Store
	Clock  numberpool.Clock // nil means numberpool.SystemClock{}
	Logger *slog.Logger     // nil means slog.Default()
	// SIPDomain is the domain under which new trunks get their SIP domain;
	// empty means DefaultSIPDomain.
	SIPDomain string
	// SeparateMetrics leaves GET /metrics out of the API's routes, for a
	// caller that serves MetricsHandler on a listener of its own.
	SeparateMetrics bool
	// RequestTimeout bounds the work of a request: its context ends then,
	// and the request gets 503 SERVICE_UNAVAILABLE. Set it below the write
	// timeout of the http.Server, so that the response can still be sent.
	// Zero means no bound.
	RequestTimeout time.Duration
}

// Server is the HTTP handler of the public API. It is safe for concurrent
// use.
type Server struct {
	store   numberpool.Store
	clock   numberpool.Clock
	logger  *slog.Logger
	mux     *http.ServeMux
	handler http.Handler

	// registry is owned by the Server rather than global, so that a process
	// (or a test) can build many servers without duplicate registrations.
	registry *prometheus.Registry
	metrics  *metrics

	sipDomain       string
	separateMetrics bool
	requestTimeout  time.Duration

	keys *boundedcache.Cache[string] // key hash -> account id; see newKeyCache
}

// New builds a Server from opts. opts.Store is required.
func New(opts Options) *Server {
	s := &Server{
		store:    opts.Store,
		clock:    opts.Clock,
		logger:   opts.Logger,
		mux:      http.NewServeMux(),
		registry: prometheus.NewRegistry(),
		keys:     newKeyCache(),
	}
	if s.clock == nil {
		s.clock = numberpool.SystemClock{}
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	s.separateMetrics = opts.SeparateMetrics
	s.requestTimeout = opts.RequestTimeout
	s.sipDomain = opts.SIPDomain
	if s.sipDomain == "" {
		s.sipDomain = DefaultSIPDomain
	}
	s.metrics = newMetrics(s.registry)

	s.routes()
	s.handler = s.withRequestInfo(s.withObservation(s.withDeadline(s.withBodyLimit(http.HandlerFunc(s.dispatch)))))
	return s
}

// MetricsHandler returns the handler of the Prometheus metrics of this
// server, which GET /metrics serves unless Options.SeparateMetrics is set.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// ServeHTTP serves one request of the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
