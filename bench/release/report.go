package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// printResults prints one line per phase and run, then a summary per phase
// across runs. Each ratio compares a phase's requests per second with the
// minimal handler's in the same run.
func printResults(out io.Writer, runs []runResult) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\trun\trequests\tfailures\treq/s\tp50\tp90\tp99\tratio\t")
	for i, run := range runs {
		minimal := run[0].rps()
		for _, p := range run {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%.3f\t\n",
				p.name, i+1, p.requests, p.failures, p.rps(),
				ms(p.percentile(0.50)), ms(p.percentile(0.90)), ms(p.percentile(0.99)), ratio(p.rps(), minimal))
		}
	}
	tw.Flush()

	fmt.Fprintln(out)
	fmt.Fprintln(out, "summary across runs (min / median / max); latencies are medians across runs")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\treq/s min\tmedian\tmax\tratio min\tmedian\tmax\tp50\tp90\tp99\t")
	for i := range runs[0] {
		printSummaryLine(tw, runs, i)
	}
	tw.Flush()

	printFailures(out, runs)
}

func printSummaryLine(w io.Writer, runs []runResult, phase int) {
	var rps, ratios []float64
	var p50, p90, p99 []time.Duration
	for _, run := range runs {
		p := run[phase]
		rps = append(rps, p.rps())
		ratios = append(ratios, ratio(p.rps(), run[0].rps()))
		p50 = append(p50, p.percentile(0.50))
		p90 = append(p90, p.percentile(0.90))
		p99 = append(p99, p.percentile(0.99))
	}
	rMin, rMed, rMax := spread(rps)
	qMin, qMed, qMax := spread(ratios)
	fmt.Fprintf(w, "%s\t%.0f\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\t%s\t%s\t%s\t\n",
		runs[0][phase].name, rMin, rMed, rMax, qMin, qMed, qMax,
		ms(median(p50)), ms(median(p90)), ms(median(p99)))
}

func printFailures(out io.Writer, runs []runResult) {
	for i, run := range runs {
		for _, p := range run {
			if p.failures > 0 {
				fmt.Fprintf(out, "run %d %s: %d failures, the first: %v\n", i+1, p.name, p.failures, p.firstErr)
			}
		}
	}
}

func spread(values []float64) (lowest, mid, highest float64) {
	sorted := slices.Sorted(slices.Values(values))
	n := len(sorted)
	mid = sorted[n/2]
	if n%2 == 0 {
		mid = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return sorted[0], mid, sorted[n-1]
}

func median(values []time.Duration) time.Duration {
	sorted := slices.Sorted(slices.Values(values))
	n := len(sorted)
	if n%2 == 0 {
		return (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return sorted[n/2]
}

func ratio(rps, minimalRPS float64) float64 {
	if minimalRPS == 0 {
		return 0
	}
	return rps / minimalRPS
}

// ms formats d in milliseconds with microsecond precision.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d.Microseconds())/1000)
}
