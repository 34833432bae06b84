package main

import (
	"context"
	"fmt"
	"iter"
	"log/slog"

	"numberpool"
)

// demoRange is a block of demo numbers: count consecutive line numbers after
// prefix, which is the E.164 form up to the line number.
type demoRange struct {
	prefix  string
	lineLen int // digits after prefix
	first   int // line number of the first number
	count   int
	country string
	typ     numberpool.NumberType
	region  string
	monthly numberpool.Cents
	setup   numberpool.Cents
}

// demoRanges are the pool of the demo: several US area codes, a toll-free
// range, and London and Toronto numbers, 3,300 in all. The GB range is the
// one Ofcom sets aside for drama, 020 7946 0000 to 0999.
var demoRanges = []demoRange{
	{"+1415200", 4, 6000, 500, "US", numberpool.TypeLocal, "CA", 115, 0},
	{"+1212300", 4, 6000, 500, "US", numberpool.TypeLocal, "NY", 115, 0},
	{"+1312400", 4, 6000, 400, "US", numberpool.TypeLocal, "IL", 115, 0},
	{"+1512500", 4, 6000, 400, "US", numberpool.TypeLocal, "TX", 115, 0},
	{"+1206600", 4, 6000, 400, "US", numberpool.TypeLocal, "WA", 115, 0},
	{"+1888700", 4, 6000, 300, "US", numberpool.TypeTollFree, "", 200, 100},
	{"+44207946", 4, 0, 500, "GB", numberpool.TypeLocal, "", 150, 0},
	{"+1416800", 4, 6000, 300, "CA", numberpool.TypeLocal, "ON", 120, 0},
}

func (r demoRange) numbers() iter.Seq[numberpool.Number] {
	return func(yield func(numberpool.Number) bool) {
		for i := range r.count {
			n := numberpool.Number{
				E164:         fmt.Sprintf("%s%0*d", r.prefix, r.lineLen, r.first+i),
				Country:      r.country,
				Type:         r.typ,
				Region:       r.region,
				Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
				MonthlyFee:   r.monthly,
				SetupFee:     r.setup,
				Status:       numberpool.StatusAvailable,
			}
			if !yield(n) {
				return
			}
		}
	}
}

// seedDemoPool adds the demo ranges to the pool. A range that is already
// there, even in part, is left as it is.
func seedDemoPool(ctx context.Context, store numberpool.Store, logger *slog.Logger) error {
	for _, r := range demoRanges {
		count, err := store.ImportNumbers(ctx, r.numbers())
		switch {
		case err == nil:
			logger.InfoContext(ctx, "demo pool range added", "prefix", r.prefix, "count", count)
		case numberpool.IsCode(err, numberpool.CodeConflict):
			logger.InfoContext(ctx, "demo pool range exists", "prefix", r.prefix)
		default:
			return fmt.Errorf("add demo pool range %s: %w", r.prefix, err)
		}
	}
	return nil
}
