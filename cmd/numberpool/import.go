package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	batch, err := inventory.Read(ctx, in, inventory.Options{Policies: cfg.Policies, Now: a.clock.Now()})
	var pe *inventory.ProblemsError
	switch {
	case errors.As(err, &pe):
		a.reportProblems(path, pe)
		return errReported
	case err != nil:
		return fmt.Errorf("read %s: %w", inputName(path), err)
	}

	count, err := store.ImportNumbers(ctx, withProgress(batch.Numbers(), batch.Len(), a.stderr))
	switch {
	case numberpool.IsCode(err, numberpool.CodeConflict):
		return fmt.Errorf("import %s: nothing was imported: %s; remove the numbers already in the pool from the file and import again",
			inputName(path), domainMessage(err))
	case numberpool.IsCode(err, numberpool.CodeNotFound):
		return fmt.Errorf("import %s: nothing was imported: %s; create the missing accounts first with numberpool accounts create",
			inputName(path), domainMessage(err))
	case err != nil:
		return fmt.Errorf("import %s: nothing was imported: %w", inputName(path), err)
	}
	fmt.Fprintf(a.stdout, "imported %d numbers from %s\n", count, inputName(path))
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
		fmt.Fprintf(a.stderr, "... and %d more problems\n", more)
	}
	noun := "problems"
	if pe.Count == 1 {
		noun = "problem"
	}
	fmt.Fprintf(a.stderr, "numberpool: %s has %d %s, so nothing was imported: fix the lines above and run the import again\n",
		inputName(path), pe.Count, noun)
}
