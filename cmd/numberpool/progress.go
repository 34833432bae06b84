package main

import (
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"numberpool"
)

// progressLineEvery is how many numbers pass between two plain progress
// lines. Imports smaller than that print none.
const progressLineEvery = 100_000

// withProgress passes the numbers of seq through and reports on w how many
// of total have gone to the store. A total of -1 means unknown. On a
// terminal it draws a progress bar. Elsewhere it prints a plain line every progressLineEvery numbers, which
// logs and pipes keep readable.
func withProgress(seq iter.Seq[numberpool.Number], total int, w io.Writer, done *int) iter.Seq[numberpool.Number] {
	report := plainProgress(total, w)
	if isTerminal(w) {
		report = barProgress(total, w)
	}
	return func(yield func(numberpool.Number) bool) {
		for n := range seq {
			if !yield(n) {
				return
			}
			*done++
			report(*done)
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func barProgress(total int, w io.Writer) func(done int) {
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing numbers"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("numbers"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return func(done int) {
		// Updating the bar takes a lock and a clock read, so it moves every
		// 1,000 numbers and at the end.
		if done%1000 == 0 || done == total {
			bar.Set(done)
		}
	}
}

func plainProgress(total int, w io.Writer) func(done int) {
	return func(done int) {
		if total < 0 && done%progressLineEvery == 0 {
			fmt.Fprintf(w, "importing numbers: %d\n", done)
			return
		}
		if done%progressLineEvery == 0 && done < total {
			fmt.Fprintf(w, "importing numbers: %d of %d (%d%%)\n", done, total, done*100/total)
		}
	}
}
