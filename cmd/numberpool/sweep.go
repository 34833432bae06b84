package main

import (
	"context"
	"fmt"

	"numberpool/sweeper"
)

// runSweep returns every number whose cooling-off period has ended to the
// pool, once, as the sweeper of serve does on each interval.
func runSweep(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("sweep", "sweep [--batch N] [flags]", &cfg)
	batch := fs.Int("batch", sweeper.DefaultBatchSize, "rows changed per transaction: cooled-off numbers returned, old call rows deleted")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	if *batch < 1 {
		return usageErrorf("invalid --batch %d: expected 1 or more", *batch)
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	sw := &sweeper.Sweeper{Store: store, BatchSize: *batch, Logger: cfg.newLogger(a.stderr)}
	count, err := sw.SweepOnce(ctx)
	if err != nil {
		return fmt.Errorf("sweep cooled-off numbers after returning %d: %w", count, err)
	}
	fmt.Fprintf(a.stdout, "%s returned to the pool\n", plural(count, "number", "numbers"))
	return nil
}
