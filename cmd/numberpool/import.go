package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"

	"numberpool"
	"numberpool/inventory"
)

func runInventoryImport(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("inventory import", "inventory import [flags] FILE (- for standard input)", &cfg)
	if err := a.parse(fs, &cfg, args, 1); err != nil {
		return err
	}
	path := fs.Arg(0)

	in, closeInput, err := a.openInput(path)
	if err != nil {
		return err
	}
	defer closeInput()

	// The store opens first, so that a wrong --db fails before a long read.
	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	opts := inventory.Options{Policies: cfg.Policies, Now: a.clock.Now()}
	total := countRows(path)
	read := 0 // numbers handed to the store
	count, err := inventory.Import(ctx, in, opts, func(ctx context.Context, seq iter.Seq[numberpool.Number]) (int, error) {
		return store.ImportNumbers(ctx, withProgress(seq, total, a.stderr, &read))
	})
	var pe *inventory.ProblemsError
	switch {
	case errors.As(err, &pe):
		a.reportProblems(path, pe)
		return errReported
	case numberpool.IsCode(err, numberpool.CodeConflict):
		if pe := a.duplicateProblem(ctx, path, err); pe != nil {
			a.reportProblems(path, pe)
			return errReported
		}
		if !rereadable(path) && read > inventory.MaxIndexedNumbers {
			// A pipe cannot be read again to tell a number listed twice,
			// past the numbers the importer indexes, from one in the pool.
			return fmt.Errorf("import %s: nothing was imported: %s, or the input lists it twice; "+
				"remove it from the input, or import from a regular file to learn which", inputName(path), domainMessage(err))
		}
		return fmt.Errorf("import %s: nothing was imported: %s; remove the numbers already in the pool from the input and import again",
			inputName(path), domainMessage(err))
	case numberpool.IsCode(err, numberpool.CodeNotFound):
		return fmt.Errorf("import %s: nothing was imported: %s; create the missing accounts first with numberpool accounts create",
			inputName(path), domainMessage(err))
	case err != nil:
		return fmt.Errorf("import %s: nothing was imported: %w", inputName(path), err)
	}
	fmt.Fprintf(a.stdout, "imported %s from %s\n", plural(count, "number", "numbers"), inputName(path))
	return nil
}

// inputName names the input in messages.
func inputName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// domainMessage returns the client-safe message of the first domain error
// in err's chain.
func domainMessage(err error) string {
	var e *numberpool.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// openInput opens the file at path, or standard input for "-".
func (a *app) openInput(path string) (io.Reader, func(), error) {
	if path == "-" {
		return a.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open inventory file: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// reportProblems prints the problems of a rejected file, one a line, then
// how many were left out and a summary.
func (a *app) reportProblems(path string, pe *inventory.ProblemsError) {
	for _, p := range pe.Problems {
		fmt.Fprintln(a.stderr, p)
	}
	if more := pe.Count - len(pe.Problems); more > 0 {
		fmt.Fprintf(a.stderr, "... and %s\n", plural(more, "more problem", "more problems"))
	}
	fmt.Fprintf(a.stderr, "numberpool: %s has %s, so nothing was imported: fix the lines above and run the import again\n",
		inputName(path), plural(pe.Count, "problem", "problems"))
}

// countRows returns about how many rows the file at path has, for the
// progress report: its line count less the header. A field with a line
// break in it makes the count high. It returns -1 for standard input and
// any other pipe, which cannot be read twice, and when the file cannot be
// read.
func countRows(path string) int {
	if !rereadable(path) {
		return -1
	}
	f, err := os.Open(path)
	if err != nil {
		return -1
	}
	defer f.Close()

	lines, last := 0, byte('\n')
	buf := make([]byte, 256<<10)
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if n > 0 {
			last = buf[n-1]
		}
		if err != nil {
			break
		}
	}
	if last != '\n' {
		lines++
	}
	return max(lines-1, 0)
}

// duplicateProblem reads the file at path again to find whether the number
// of the store's CONFLICT is listed twice in the file or is already in the
// pool, which the error alone does not show. It returns nil when the number
// is on one line only, or when the input cannot be read again.
func (a *app) duplicateProblem(ctx context.Context, path string, conflict error) *inventory.ProblemsError {
	var dup *numberpool.DuplicateNumber
	if !rereadable(path) || !errors.As(conflict, &dup) {
		return nil
	}
	e164 := dup.E164
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()

	lines, err := inventory.FindNumber(ctx, f, e164)
	if err != nil || len(lines) < 2 {
		return nil
	}
	reason := fmt.Sprintf("duplicate number %s: it is also on line %d", e164, lines[0])
	pe := &inventory.ProblemsError{Count: len(lines) - 1}
	for _, line := range lines[1:] {
		pe.Problems = append(pe.Problems, inventory.Problem{Line: line, Reason: reason})
	}
	return pe
}

// rereadable reports whether path is a regular file, which can be read a
// second time. Standard input, pipes and FIFOs give their data once, and a
// second open of a FIFO waits for a writer.
func rereadable(path string) bool {
	if path == "-" {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
