// Package inventory reads the CSV files that load numbers into the pool. It
// validates every row before an import commits, so that a file is imported
// whole or not at all, and it does no I/O of its own beyond reading the file.
package inventory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strings"
	"time"

	"numberpool"
)

// DefaultMaxProblems is how many problems Read keeps in full when
// Options.MaxProblems is zero.
const DefaultMaxProblems = 100

// Options configure Read.
type Options struct {
	// Policies give the cooling-off period of numbers imported as released.
	Policies numberpool.Policies
	// Now is the time of the import. Purchase and release times after it are
	// rejected.
	Now time.Time
	// MaxProblems caps the problems kept in full; the rest are only counted.
	// Zero means DefaultMaxProblems.
	MaxProblems int
	// Workers is how many goroutines validate rows. Zero means GOMAXPROCS.
	Workers int
}

// Problem is one reason a file cannot be imported, on one line of it.
type Problem struct {
	Line   int
	Reason string
}

func (p Problem) String() string {
	return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
}

// ProblemsError is returned by Read for a file with invalid rows or an
// invalid header. Problems holds the first problems in line order; Count is
// the total, which is more when the list was capped.
type ProblemsError struct {
	Problems []Problem
	Count    int
}

func (e *ProblemsError) Error() string {
	if len(e.Problems) == 0 {
		return fmt.Sprintf("%d problems in the inventory file", e.Count)
	}
	return fmt.Sprintf("%d problems in the inventory file, the first on %s", e.Count, e.Problems[0])
}

// Batch is the content of an inventory file in which every row is valid.
type Batch struct {
	rows []row
}

// Len returns the number of rows.
func (b *Batch) Len() int { return len(b.rows) }

// Numbers yields the numbers of the file in file order, one at a time, so
// that a store can import them without a second copy of the file. The
// Capabilities slices of the numbers are shared and must not be modified.
func (b *Batch) Numbers() iter.Seq[numberpool.Number] {
	return func(yield func(numberpool.Number) bool) {
		for i := range b.rows {
			if !yield(b.rows[i].number()) {
				return
			}
		}
	}
}

func (r *row) number() numberpool.Number {
	n := numberpool.Number{
		E164:         "+" + formatDigits(r.e164),
		Country:      r.country,
		Type:         r.numberType,
		Region:       r.region,
		Capabilities: r.capabilities.list(),
		MonthlyFee:   r.monthlyFee,
		SetupFee:     r.setupFee,
		Status:       r.status,
		AccountID:    r.accountID,
	}
	if r.status != numberpool.StatusAvailable {
		n.PurchasedAt = time.Unix(r.purchasedAt, 0).UTC()
	}
	if r.status == numberpool.StatusReleased {
		n.ReleasedAt = time.Unix(r.releasedAt, 0).UTC()
		n.AvailableAfter = time.Unix(r.availableAfter, 0).UTC()
	}
	return n
}

func formatDigits(n uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}

// Read reads a CSV inventory file with a header line and validates every
// row. When the header or any row is invalid, it returns a *ProblemsError
// that lists them. It also returns the errors of r and of ctx.
func Read(ctx context.Context, r io.Reader, opts Options) (*Batch, error) {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}

	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &ProblemsError{Problems: []Problem{{1, "the file is empty: expected a header line such as e164,type,monthly_fee"}}, Count: 1}
	}
	if err != nil {
		return nil, csvError(err)
	}

	l, reasons := parseHeader(header)
	if len(reasons) > 0 {
		return nil, headerProblems(reasons)
	}

	v := &validator{layout: l, policies: opts.Policies, now: opts.Now.UTC(), numbers: &classifier{}}
	return readRows(ctx, cr, v, len(header), opts)
}

func headerProblems(reasons []string) *ProblemsError {
	e := &ProblemsError{Count: len(reasons)}
	for _, reason := range reasons {
		e.Problems = append(e.Problems, Problem{Line: 1, Reason: reason})
	}
	return e
}

// csvError turns a syntax error of the CSV reader into a problem on its line
// and passes any other error through.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
		reason := fmt.Sprintf("invalid CSV at column %d: %v; the rest of the file was not read", pe.Column, pe.Err)
		return &ProblemsError{Problems: []Problem{{pe.Line, reason}}, Count: 1}
	}
	return fmt.Errorf("read inventory file: %w", err)
}

// problemList collects problems in line order up to a cap.
type problemList struct {
	max      int
	problems []Problem
	count    int
}

func (p *problemList) add(line int, reasons ...string) {
	p.count++
	if len(p.problems) < p.max {
		p.problems = append(p.problems, Problem{Line: line, Reason: strings.Join(reasons, "; ")})
	}
}
