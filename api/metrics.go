package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the Prometheus series of one Server.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// counters and observers keep the series already used, so a request
	// skips the hashing of its label values. Routes and status codes come
	// from small fixed sets, so both maps stay small.
	counters  sync.Map // routeStatus to prometheus.Counter
	observers sync.Map // route to prometheus.Observer
}

// routeStatus is the label values of one series of requests.
type routeStatus struct {
	route  string
	status int
}

// newMetrics registers the HTTP series, and the Go runtime and process
// collectors, on reg.
func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "numberpool_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "numberpool_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, in seconds, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one request. route is a registered pattern or one of the
// fixed route* labels, so the label set stays bounded whatever clients send.
func (m *metrics) observe(route string, status int, elapsed time.Duration) {
	m.counter(route, status).Inc()
	m.observer(route).Observe(elapsed.Seconds())
}

func (m *metrics) counter(route string, status int) prometheus.Counter {
	key := routeStatus{route, status}
	if c, ok := m.counters.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c, _ := m.counters.LoadOrStore(key, m.requests.WithLabelValues(route, strconv.Itoa(status)))
	return c.(prometheus.Counter)
}

func (m *metrics) observer(route string) prometheus.Observer {
	if o, ok := m.observers.Load(route); ok {
		return o.(prometheus.Observer)
	}
	o, _ := m.observers.LoadOrStore(route, m.duration.WithLabelValues(route))
	return o.(prometheus.Observer)
}
