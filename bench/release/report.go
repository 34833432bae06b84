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

// printComparison prints one line per setup with the medians across runs:
// the API's requests per second beside the baseline statements'
// transactions per second on the same database, and their ratio.
func printComparison(out io.Writer, setups []setup, results [][]runResult) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, "comparison of setups (medians across runs); preview/raw-select and release/raw-update are ratios of rates")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "setup\tminimal req/s\tpreview req/s\traw-select tx/s\tpreview/raw\trelease req/s\tcancel req/s\traw-update tx/s\trelease/raw\t")
	for i, s := range setups {
		rate := func(name string) float64 { return medianRate(results[i], name) }
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.3f\t%.0f\t%.0f\t%.0f\t%.3f\t\n", s,
			rate(phaseMinimal), rate(phasePreview), rate(phaseRawSelect), ratio(rate(phasePreview), rate(phaseRawSelect)),
			rate(phaseRelease), rate(phaseCancel), rate(phaseRawUpdate), ratio(rate(phaseRelease), rate(phaseRawUpdate)))
	}
	tw.Flush()
}

// medianRate returns the median across runs of the rate of the phase named
// name, or 0 when no run has it.
func medianRate(runs []runResult, name string) float64 {
	var rates []float64
	for _, run := range runs {
		for _, p := range run {
			if p.name == name {
				rates = append(rates, p.rps())
			}
		}
	}
	if len(rates) == 0 {
		return 0
	}
	_, mid, _ := spread(rates)
	return mid
}
