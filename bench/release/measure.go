package main

import (
	"context"
	"fmt"
	"net/http"
)

// Phase names, in the order every run drives them. The raw phases run the
// baseline statements directly on the database.
const (
	phaseMinimal   = "minimal"
	phasePreview   = "preview"
	phaseRawSelect = "raw-select"
	phaseRelease   = "release"
	phaseCancel    = "cancel"
	phaseRawUpdate = "raw-update"
)

// runResult holds the phases of one run, in the order they ran.
type runResult []phaseResult

func accountPath(suffix string) string {
	return "/v1/account/" + benchAccountID + "/numbers/" + suffix
}

// measure warms the servers up, then drives every phase cfg.runs times.
// Each run releases numbers and cancels those releases, which makes the
// numbers active again for the next run. API requests go to apiURLs in turn.
func measure(ctx context.Context, cfg config, seed seeded, apiURLs []string, minimalURL string, raw rawDB) ([]runResult, error) {
	apiClient := newClient(cfg.conns)
	minimalClient := newClient(cfg.conns)
	defer apiClient.CloseIdleConnections()
	defer minimalClient.CloseIdleConnections()

	previewPhase := phase{
		name:   phasePreview,
		method: http.MethodGet,
		expect: http.StatusOK,
		path: func(i int) string {
			return accountPath(seed.previewNumbers[i%len(seed.previewNumbers)] + "/release-preview")
		},
		limit: cfg.maxRequests,
	}
	// The minimal handler gets the very requests of the preview phase, so
	// that the two differ only in the server.
	minimalPhase := previewPhase
	minimalPhase.name = phaseMinimal

	if cfg.warmup > 0 {
		for _, w := range []struct {
			client *http.Client
			urls   []string
			p      phase
		}{{minimalClient, []string{minimalURL}, minimalPhase}, {apiClient, apiURLs, previewPhase}} {
			res := drive(ctx, w.client, w.urls, seed.key, w.p, cfg.conns, cfg.warmup)
			if res.failures > 0 {
				return nil, fmt.Errorf("warm-up of %s: %d of %d requests failed, the first with: %w", w.p.name, res.failures, res.requests, res.firstErr)
			}
		}
	}

	candidates := seed.releaseNumbers
	var runs []runResult
	for range cfg.runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		minimal := drive(ctx, minimalClient, []string{minimalURL}, seed.key, minimalPhase, cfg.conns, cfg.duration)
		preview := drive(ctx, apiClient, apiURLs, seed.key, previewPhase, cfg.conns, cfg.duration)
		rawSelect := driveRaw(ctx, phaseRawSelect, raw.read, seed.previewNumbers, cfg)

		release := drive(ctx, apiClient, apiURLs, seed.key, numberPhase(phaseRelease, http.MethodDelete, "", candidates, cfg.maxRequests), cfg.conns, cfg.duration)
		released := pick(candidates, release.succeeded)
		cancel := drive(ctx, apiClient, apiURLs, seed.key, numberPhase(phaseCancel, http.MethodPost, "/cancel-release", released, cfg.maxRequests), cfg.conns, cfg.duration)
		// The update only moves updated_at, so the numbers stay as the
		// release and cancel phases left them.
		rawUpdate := driveRaw(ctx, phaseRawUpdate, raw.write, seed.releaseNumbers, cfg)

		candidates = stillActive(candidates, released, pick(released, cancel.succeeded))
		runs = append(runs, runResult{minimal, preview, rawSelect, release, cancel, rawUpdate})
	}
	return runs, nil
}

// numberPhase sends one request to each of numbers, in order, with suffix
// after the number in the path.
func numberPhase(name, method, suffix string, numbers []string, maxRequests int) phase {
	return phase{
		name:   name,
		method: method,
		expect: http.StatusOK,
		path:   func(i int) string { return accountPath(numbers[i] + suffix) },
		limit:  min(len(numbers), maxRequests),
	}
}

func pick(numbers []string, indexes []int) []string {
	picked := make([]string, len(indexes))
	for i, index := range indexes {
		picked[i] = numbers[index]
	}
	return picked
}

// stillActive returns the candidates less the numbers released and not
// cancelled, which a later run can no longer release.
func stillActive(candidates, released, cancelled []string) []string {
	notCancelled := make(map[string]bool, len(released))
	for _, n := range released {
		notCancelled[n] = true
	}
	for _, n := range cancelled {
		delete(notCancelled, n)
	}
	if len(notCancelled) == 0 {
		return candidates
	}

	active := make([]string, 0, len(candidates))
	for _, n := range candidates {
		if !notCancelled[n] {
			active = append(active, n)
		}
	}
	return active
}
