// Package sweeper returns released numbers to the pool once their
// cooling-off period has ended. Searches and purchases already treat such
// numbers as available by their time, so the sweeper only rewrites the rows
// and records when each number returned. It also deletes the rows of calls
// older than numberpool.CallRetention. Several replicas may run it at once
// on the PostgreSQL store, which locks the rows of a batch with SKIP LOCKED.
package sweeper

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of a Sweeper.
const (
	DefaultInterval  = 10 * time.Second
	DefaultBatchSize = 500
	// maxBatchesPerRun bounds one run, so that a huge backlog is worked off
	// over several intervals rather than in one long loop.
	maxBatchesPerRun = 10_000
)

// GramBatchSize is the count of numbers per transaction of 4-gram indexing.
// Each writes about seven index rows to random places, so batches are
// smaller than those of the sweep.
const GramBatchSize = 64

// GramIndexer is implemented by stores that index the digits of new numbers
// in the background (the SQLite store). Its searches are right before and
// after indexing, only faster after.
type GramIndexer interface {
	// IndexGrams indexes up to limit pending numbers and returns how many it
	// indexed.
	IndexGrams(ctx context.Context, limit int) (int, error)
}

// CallPruner is implemented by stores that keep a row per reported call
// (both stores). The sweeper deletes the rows that can no longer matter, so
// the table does not grow with every call.
type CallPruner interface {
	// PruneCalls deletes up to limit rows of calls older than
	// numberpool.CallRetention and returns how many it deleted.
	PruneCalls(ctx context.Context, limit int) (int, error)
}

// Store is the part of numberpool.PoolStore that a sweeper uses.
type Store interface {
	// Sweep returns up to limit cooled-off numbers to the pool and returns
	// how many it returned.
	Sweep(ctx context.Context, limit int) (int, error)
}

// Sweeper returns cooled-off numbers to the pool in batches.
type Sweeper struct {
	Store     Store
	Interval  time.Duration // between runs; zero means DefaultInterval
	BatchSize int           // numbers per transaction; zero means DefaultBatchSize
	Logger    *slog.Logger  // nil means slog.Default()
}

// Run sweeps at once and then every Interval until ctx ends. A failed run is
// logged and retried at the next interval. Run returns nil when ctx ends.
func (s *Sweeper) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	s.logger().InfoContext(ctx, "sweeper started", "interval_ms", interval.Milliseconds(), "batch_size", s.batchSize())

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if _, err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			s.logger().ErrorContext(ctx, "sweep failed", "error", err)
		}
		select {
		case <-ctx.Done():
			s.logger().InfoContext(ctx, "sweeper stopped")
			return nil
		case <-ticker.C:
		}
	}
}

// SweepOnce returns every number due now to the pool, one batch per
// transaction, and stops at the first batch that is not full. Then, when the
// store is a GramIndexer, it indexes the pending numbers the same way, and
// when it is a CallPruner, it deletes old call rows the same way. It logs
// the counts and the durations, and returns the count of numbers returned
// to the pool.
func (s *Sweeper) SweepOnce(ctx context.Context) (int, error) {
	start := time.Now()
	size := s.batchSize()
	total := 0
	for batch := 0; batch < maxBatchesPerRun; batch++ {
		n, err := s.Store.Sweep(ctx, size)
		total += n
		if err != nil {
			return total, fmt.Errorf("sweep batch %d of %d numbers: %w", batch+1, size, err)
		}
		if n < size {
			break
		}
	}

	if total > 0 {
		s.logger().InfoContext(ctx, "numbers returned to pool",
			"rows", total, "duration_ms", time.Since(start).Milliseconds())
	}

	if indexer, ok := s.Store.(GramIndexer); ok {
		if err := s.indexGrams(ctx, indexer); err != nil {
			return total, err
		}
	}
	if pruner, ok := s.Store.(CallPruner); ok {
		if err := s.pruneCalls(ctx, pruner); err != nil {
			return total, err
		}
	}
	return total, nil
}

// pruneCalls deletes the old call rows of a CallPruner in batches of the
// sweep's batch size.
func (s *Sweeper) pruneCalls(ctx context.Context, pruner CallPruner) error {
	start := time.Now()
	size := s.batchSize()
	total := 0
	for batch := 0; batch < maxBatchesPerRun; batch++ {
		n, err := pruner.PruneCalls(ctx, size)
		total += n
		if err != nil {
			return fmt.Errorf("delete old call rows, batch %d of %d rows: %w", batch+1, size, err)
		}
		if n < size {
			break
		}
	}

	if total > 0 {
		s.logger().InfoContext(ctx, "old call rows deleted",
			"rows", total, "duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}

// indexGrams indexes the pending numbers of a GramIndexer in batches.
func (s *Sweeper) indexGrams(ctx context.Context, indexer GramIndexer) error {
	start := time.Now()
	total := 0
	for batch := 0; batch < maxBatchesPerRun; batch++ {
		n, err := indexer.IndexGrams(ctx, GramBatchSize)
		total += n
		if err != nil {
			return fmt.Errorf("index 4-grams, batch %d of %d numbers: %w", batch+1, GramBatchSize, err)
		}
		if n < GramBatchSize {
			break
		}
	}

	if total > 0 {
		s.logger().InfoContext(ctx, "numbers indexed for search",
			"rows", total, "duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}

func (s *Sweeper) batchSize() int {
	if s.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return s.BatchSize
}

func (s *Sweeper) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}
