package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// requestTimeout bounds one request, so that a stuck server cannot hold a
// worker past its phase by more than this.
const requestTimeout = 10 * time.Second

// phase is one kind of request driven at one server.
type phase struct {
	name   string
	method string
	expect int // the status of a successful request
	// path returns the path of the i-th request of the phase, counted from 0.
	path  func(i int) string
	limit int // requests at most, whatever the duration
}

// phaseResult holds the measurements of one phase of one run.
type phaseResult struct {
	name      string
	requests  int // completed, failed ones included
	failures  int // transport errors and unexpected statuses
	elapsed   time.Duration
	latencies []time.Duration // sorted
	succeeded []int           // indexes of the requests that got the expected status
	firstErr  error
}

func (r phaseResult) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile returns the latency that q of the requests did not exceed, by
// the nearest-rank method.
func (r phaseResult) percentile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	rank := int(q*float64(len(r.latencies))+0.999999) - 1
	return r.latencies[min(max(rank, 0), len(r.latencies)-1)]
}

// newClient returns a client whose connections stay open between requests,
// at most conns of them. It uses no proxy and follows no redirect, so that
// every request goes to the loopback address it names.
func newClient(conns int) *http.Client {
	transport := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// drive sends the requests of p from conns workers until p.limit requests
// have been sent or duration has passed, whichever comes first. Request i
// goes to baseURLs[i % len(baseURLs)], so that several replicas share the
// load evenly.
func drive(ctx context.Context, client *http.Client, baseURLs []string, key string, p phase, conns int, duration time.Duration) phaseResult {
	return driveEach(ctx, p.name, p.limit, conns, duration, func(ctx context.Context, i int, res *phaseResult) {
		send(ctx, client, baseURLs[i%len(baseURLs)]+p.path(i), key, p, i, res)
	})
}

// driveEach runs do for i = 0, 1, ... from conns workers until limit calls
// have been made or duration has passed, whichever comes first, and merges
// what the calls recorded. A call may overrun duration by requestTimeout at
// most.
func driveEach(ctx context.Context, name string, limit, conns int, duration time.Duration, do func(ctx context.Context, i int, res *phaseResult)) phaseResult {
	ctx, cancel := context.WithTimeout(ctx, duration+requestTimeout)
	defer cancel()

	var next atomic.Int64
	workers := make([]phaseResult, conns)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)

	for w := range workers {
		wg.Go(func() {
			res := &workers[w]
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= limit {
					return
				}
				do(ctx, i, res)
			}
		})
	}
	wg.Wait()

	total := phaseResult{name: name, elapsed: time.Since(start)}
	for _, res := range workers {
		total.requests += res.requests
		total.failures += res.failures
		total.latencies = append(total.latencies, res.latencies...)
		total.succeeded = append(total.succeeded, res.succeeded...)
		if total.firstErr == nil {
			total.firstErr = res.firstErr
		}
	}
	slices.Sort(total.latencies)
	slices.Sort(total.succeeded)
	return total
}

// send makes request i of p and adds its outcome to res.
func send(ctx context.Context, client *http.Client, url, key string, p phase, i int, res *phaseResult) {
	req, err := http.NewRequestWithContext(ctx, p.method, url, nil)
	if err != nil {
		res.fail(fmt.Errorf("build %s %s: %w", p.method, url, err))
		return
	}
	req.Header.Set("Authorization", "Bearer "+key)

	began := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		// Reading the whole body lets the connection serve the next request.
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	elapsed := time.Since(began)

	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return
	}
	res.requests++
	res.latencies = append(res.latencies, elapsed)
	switch {
	case err != nil:
		res.fail(fmt.Errorf("%s %s: %w", p.method, url, err))
	case resp.StatusCode != p.expect:
		res.fail(fmt.Errorf("%s %s: status %d, expected %d", p.method, url, resp.StatusCode, p.expect))
	default:
		res.succeeded = append(res.succeeded, i)
	}
}

func (r *phaseResult) fail(err error) {
	r.failures++
	if r.firstErr == nil {
		r.firstErr = err
	}
}
