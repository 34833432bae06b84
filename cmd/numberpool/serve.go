package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"numberpool"
	"numberpool/api"
	"numberpool/sweeper"
)

// HTTP server limits. The API's requests and responses are small JSON
// documents, so generous bounds still stop slow or oversized clients from
// holding connections.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	// requestTimeout ends the work of a request in time for its 503 to
	// be written before writeTimeout.
	requestTimeout = writeTimeout - 5*time.Second
	idleTimeout    = 2 * time.Minute
	maxHeaderBytes = 64 << 10
)

// defaultShutdownTimeout bounds how long a shutdown waits for requests in
// flight before it closes their connections.
const defaultShutdownTimeout = 30 * time.Second

// Main is the whole numberpool server: the store, the API and the HTTP
// server. Open starts listening, Run serves until its context ends, and
// Close releases the store.
type Main struct {
	Config Config
	Clock  numberpool.Clock
	Logger *slog.Logger
	// Demo makes Open create the demo account, its numbers and a new API
	// key, which it prints on Stdout with a ready curl command.
	Demo   bool
	Stdout io.Writer
	// ShutdownTimeout bounds the wait for requests in flight at shutdown.
	// Zero means defaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Sweeper configures the sweeper that Run starts, which sets its Store
	// and Logger. A negative Interval disables it.
	Sweeper sweeper.Sweeper

	store    numberpool.Store
	listener net.Listener
	server   *http.Server

	// metricsListener and metricsServer serve /metrics alone when
	// Config.MetricsAddr is set, and are nil otherwise.
	metricsListener net.Listener
	metricsServer   *http.Server
}

// Open opens the store, applying pending migrations, seeds the demo data
// when Demo is set, and listens on Config.Addr.
func (m *Main) Open(ctx context.Context) error {
	store, err := openStore(ctx, m.Config, storeDeps{Clock: m.Clock, Logger: m.Logger}, true)
	if err != nil {
		return err
	}
	m.store = store

	var demoKey string
	var demoHeld demoHoldings
	if m.Demo {
		if demoKey, err = seedDemo(ctx, store, m.Clock, m.Logger); err != nil {
			return err
		}
		if demoHeld, err = listDemoHoldings(ctx, store, m.Clock.Now()); err != nil {
			return err
		}
	}

	m.listener, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; choose another --addr/NUMBERPOOL_ADDR", m.Config.Addr, err)
	}
	handler := api.New(api.Options{Store: m.store, Clock: m.Clock, Logger: m.Logger, SIPDomain: m.Config.SIPDomain,
		SeparateMetrics: m.Config.MetricsAddr != "", RequestTimeout: requestTimeout})
	m.server = m.newHTTPServer(handler)
	if err := m.listenMetrics(handler); err != nil {
		return err
	}

	if m.Demo {
		printDemo(m.Stdout, m.URL(), demoKey, demoHeld)
	}
	return nil
}

// listenMetrics listens on Config.MetricsAddr, when set, with a server of
// /metrics alone, so that operators can keep the metrics off the public
// listener.
func (m *Main) listenMetrics(handler *api.Server) error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	var err error
	m.metricsListener, err = net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; choose another --metrics-addr/NUMBERPOOL_METRICS_ADDR", m.Config.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", handler.MetricsHandler())
	m.metricsServer = m.newHTTPServer(mux)
	return nil
}

// MetricsAddr returns the address of the metrics listener, or nil when
// /metrics is served with the API. Open must have succeeded.
func (m *Main) MetricsAddr() net.Addr {
	if m.metricsListener == nil {
		return nil
	}
	return m.metricsListener.Addr()
}

func (m *Main) newHTTPServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
}

// Addr returns the address the server listens on, with the port the system
// chose when Config.Addr has port 0. Open must have succeeded.
func (m *Main) Addr() net.Addr {
	return m.listener.Addr()
}

// URL returns the base URL of the API for a client on this machine. A
// server listening on every address (0.0.0.0 or [::]) is reached on
// 127.0.0.1, which Go's dual-stack listeners also accept.
func (m *Main) URL() string {
	tcp, ok := m.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + m.Addr().String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// Run serves the API until ctx ends, then shuts down gracefully: it stops
// accepting connections and waits up to ShutdownTimeout for the requests in
// flight. It returns an error when serving fails or the wait times out.
func (m *Main) Run(ctx context.Context) error {
	served := make(chan error, 2)
	go func() { served <- m.server.Serve(m.listener) }()
	m.Logger.InfoContext(ctx, "http server listening", "addr", m.Addr().String())
	servers := 1
	if m.metricsServer != nil {
		servers++
		go func() { served <- m.metricsServer.Serve(m.metricsListener) }()
		m.Logger.InfoContext(ctx, "metrics server listening", "addr", m.MetricsAddr().String())
	}
	swept := m.startSweeper(ctx)
	defer func() { <-swept }()

	select {
	case err := <-served:
		return fmt.Errorf("serve http on %s: %w", m.Addr(), err)
	case <-ctx.Done():
	}

	m.Logger.InfoContext(ctx, "http server shutting down", "addr", m.Addr().String())
	timeout := m.ShutdownTimeout
	if timeout == 0 {
		timeout = defaultShutdownTimeout
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()

	if m.metricsServer != nil {
		// Metrics requests are short and idempotent, so they are cut at once.
		m.metricsServer.Close()
	}
	if err := m.server.Shutdown(shutdownCtx); err != nil {
		m.server.Close()
		return fmt.Errorf("shut down http server on %s: %w", m.Addr(), err)
	}
	for range servers {
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http on %s: %w", m.Addr(), err)
		}
	}
	m.Logger.InfoContext(ctx, "http server stopped", "addr", m.Addr().String())
	return nil
}

// Close closes the server and its listener, when Run did not, and then the
// store.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		errs = append(errs, m.server.Close())
	}
	if m.metricsServer != nil {
		errs = append(errs, m.metricsServer.Close())
	}
	for _, l := range []net.Listener{m.listener, m.metricsListener} {
		if l == nil {
			continue
		}
		if err := l.Close(); !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// startSweeper runs the sweeper until ctx ends. The returned channel closes
// when it has stopped.
func (m *Main) startSweeper(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if m.Sweeper.Interval < 0 {
		close(done)
		return done
	}
	m.Sweeper.Store, m.Sweeper.Logger = m.store, m.Logger
	go func() {
		defer close(done)
		m.Sweeper.Run(ctx)
	}()
	return done
}

func runServe(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("serve", "serve [--demo] [flags]", &cfg)
	demo := fs.Bool("demo", false, "create the demo account acc_123abc with two numbers and a pool of available numbers, and print a new API key for it")
	sweepInterval := fs.Duration("sweep-interval", sweeper.DefaultInterval, "time between runs of the sweeper that returns cooled-off numbers to the pool; 0 or less disables it")
	sweepBatch := fs.Int("sweep-batch", sweeper.DefaultBatchSize, "rows the sweeper changes per transaction: cooled-off numbers returned, old call rows deleted")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	if *sweepBatch < 1 {
		return usageErrorf("invalid --sweep-batch %d: expected 1 or more", *sweepBatch)
	}

	m := &Main{
		Config: cfg,
		Clock:  a.clock,
		Logger: cfg.newLogger(a.stderr),
		Demo:   *demo,
		Stdout: a.stdout,
	}
	m.Sweeper.Interval, m.Sweeper.BatchSize = *sweepInterval, *sweepBatch
	if *sweepInterval <= 0 {
		m.Sweeper.Interval = -1
	}
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	return m.Run(ctx)
}
