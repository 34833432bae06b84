package main

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"numberpool"
)

func TestProgressPlainLines(t *testing.T) {
	const total = 250_000
	numbers := make([]numberpool.Number, total)
	var out bytes.Buffer

	count := 0
	for range withProgress(slices.Values(numbers), total, &out, new(int)) {
		count++
	}

	if count != total {
		t.Errorf("numbers passed through = %d, want %d", count, total)
	}
	want := "importing numbers: 100000 of 250000 (40%)\nimporting numbers: 200000 of 250000 (80%)\n"
	if got := out.String(); got != want {
		t.Errorf("progress output = %q, want %q", got, want)
	}
}

func TestProgressStopsEarly(t *testing.T) {
	numbers := make([]numberpool.Number, 10)
	var out bytes.Buffer

	count := 0
	for range withProgress(slices.Values(numbers), len(numbers), &out, new(int)) {
		count++
		if count == 3 {
			break
		}
	}
	if count != 3 || out.Len() != 0 {
		t.Errorf("count = %d, output %q; want 3 and no output", count, fmt.Sprint(out.String()))
	}
}
