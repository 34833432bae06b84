package inventory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// recorder is an ImportFunc that keeps the numbers it reads, as a store
// would inside its transaction, and records whether its context ended.
type recorder struct {
	got       []numberpool.Number
	cancelled bool
	stopAfter int // numbers to read before returning err; 0 reads all
	err       error
}

func (r *recorder) store(ctx context.Context, seq iter.Seq[numberpool.Number]) (int, error) {
	for n := range seq {
		r.got = append(r.got, n)
		if r.stopAfter > 0 && len(r.got) == r.stopAfter {
			return 0, r.err
		}
	}
	r.cancelled = ctx.Err() != nil
	if r.cancelled {
		return 0, ctx.Err()
	}
	return len(r.got), nil
}

// streamFile returns a file of rows valid US numbers after its header,
// except that the given bad lines hold an invalid number.
func streamFile(rows int, bad ...int) string {
	var b strings.Builder
	b.WriteString("e164,monthly_fee\n")
	for i := range rows {
		line := i + 2
		if slices.Contains(bad, line) {
			fmt.Fprintf(&b, "+1415%d,1.00\n", i)
			continue
		}
		fmt.Fprintf(&b, "+1415555%04d,1.00\n", i)
	}
	return b.String()
}

func TestImportStreamsValidFile(t *testing.T) {
	file := streamFile(2200)
	var r recorder
	count, err := Import(t.Context(), strings.NewReader(file), testOptions(), r.store)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if count != 2200 {
		t.Errorf("Import count = %d, want 2200", count)
	}
	if r.cancelled {
		t.Error("the context of the store ended after a valid file")
	}
	// The numbers reach the store in file order, as Read returns them.
	want := mustRead(t, file, testOptions())
	if diff := cmp.Diff(want, r.got); diff != "" {
		t.Errorf("numbers mismatch (-want +got):\n%s", diff)
	}
}

func TestImportInvalidRowsCancelStore(t *testing.T) {
	tests := []struct {
		name      string
		bad       []int
		wantStore int // numbers given to the store before the first bad row
	}{
		{"first row", []int{2}, 0},
		{"late rows", []int{1500, 2000, 2201}, 1498},
		{"last row", []int{2201}, 2199},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			_, err := Import(t.Context(), strings.NewReader(streamFile(2200, tt.bad...)), testOptions(), r.store)
			var pe *ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("Import error = %v, want a *ProblemsError", err)
			}
			var lines []int
			for _, p := range pe.Problems {
				lines = append(lines, p.Line)
			}
			if diff := cmp.Diff(tt.bad, lines); diff != "" || pe.Count != len(tt.bad) {
				t.Errorf("problem lines mismatch (-want +got), count %d:\n%s", pe.Count, diff)
			}
			if !r.cancelled || len(r.got) != tt.wantStore {
				t.Errorf("store got %d numbers, cancelled = %t; want %d and cancelled", len(r.got), r.cancelled, tt.wantStore)
			}
		})
	}
}

// TestImportDuplicatesWithOtherProblems checks that a number listed twice
// is reported with the invalid rows, on either side of the first of them,
// and that the store never gets the second copy.
func TestImportDuplicatesWithOtherProblems(t *testing.T) {
	file := "e164,monthly_fee\n" +
		"+14155550001,1\n" +
		"+14155550001,1\n" +
		"+1415,1\n" +
		"+14155550002,1\n" +
		"+14155550002,1\n" +
		"+14155550001,1\n"
	var r recorder
	_, err := Import(t.Context(), strings.NewReader(file), testOptions(), r.store)

	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("Import error = %v, want a *ProblemsError", err)
	}
	want := []Problem{
		{3, "duplicate number +14155550001: it is also on line 2"},
		{4, `invalid phone number "+1415": the national number 415 is too short for country code +1; ` +
			`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{6, "duplicate number +14155550002: it is also on line 5"},
		{7, "duplicate number +14155550001: it is also on line 2"},
	}
	if diff := cmp.Diff(want, pe.Problems); diff != "" || pe.Count != len(want) {
		t.Errorf("problems mismatch (-want +got), count %d:\n%s", pe.Count, diff)
	}
	if len(r.got) != 1 || !r.cancelled {
		t.Errorf("store got %d numbers, cancelled = %t; want 1 and cancelled", len(r.got), r.cancelled)
	}
}

func TestImportStoreError(t *testing.T) {
	conflict := numberpool.ImportConflict("+14155550007")
	r := recorder{stopAfter: 8, err: conflict}
	_, err := Import(t.Context(), strings.NewReader(streamFile(2200)), testOptions(), r.store)
	if !errors.Is(err, conflict) {
		t.Errorf("Import error = %v, want the store's %v", err, conflict)
	}
}

func TestImportHeaderProblems(t *testing.T) {
	called := false
	_, err := Import(t.Context(), strings.NewReader("E164\n+14155551111\n"), testOptions(),
		func(context.Context, iter.Seq[numberpool.Number]) (int, error) { called = true; return 0, nil })
	var pe *ProblemsError
	if !errors.As(err, &pe) || pe.Problems[0].Line != 1 || called {
		t.Errorf("Import error = %v, store called = %t; want a problem on line 1 and no store call", err, called)
	}
}

func TestFindNumber(t *testing.T) {
	file := "e164,monthly_fee\n+14155551111,1.00\n+14155551112,1.00\n\"+14155551111\",2.00\n"
	tests := []struct {
		e164 string
		want []int
	}{
		{"+14155551111", []int{2, 4}},
		{"+14155551112", []int{3}},
		{"+14155559999", nil},
	}
	for _, tt := range tests {
		t.Run(tt.e164, func(t *testing.T) {
			got, err := FindNumber(t.Context(), strings.NewReader(file), tt.e164)
			if err != nil {
				t.Fatalf("FindNumber: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLineIndexBound checks that the index of lines stops growing at its
// bound: a number after it is not indexed, so its copy is left to the
// store.
func TestLineIndexBound(t *testing.T) {
	idx := newLineIndex(2)
	for line, e164 := range []uint64{14155550001, 14155550002, 14155550003} {
		if reasons := idx.duplicate(e164, line+2, nil); len(reasons) != 0 {
			t.Fatalf("duplicate(%d) = %q on its first line", e164, reasons)
		}
	}

	want := []string{"duplicate number +14155550002: it is also on line 3"}
	if got := idx.duplicate(14155550002, 5, nil); !slices.Equal(got, want) {
		t.Errorf("duplicate of an indexed number = %q, want %q", got, want)
	}
	if got := idx.duplicate(14155550003, 6, nil); len(got) != 0 {
		t.Errorf("duplicate of a number past the bound = %q, want none", got)
	}
}
