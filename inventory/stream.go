package inventory

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"iter"
	"runtime"
	"slices"
	"sync"

	"numberpool"
)

// ImportFunc stores the numbers of seq in one transaction and returns how
// many it stored. It must store nothing when ctx ends before it commits:
// Import ends ctx when the file turns out to be invalid.
type ImportFunc func(ctx context.Context, seq iter.Seq[numberpool.Number]) (int, error)

// errInvalidFile is the cause of the context end that stops a store once a
// row of the file is invalid.
var errInvalidFile = errors.New("the inventory file has invalid rows")

// Import reads a CSV inventory file in one pass and hands its numbers to
// store as they are validated, on opts.Workers goroutines, so that memory
// does not grow with the file. Once a row is invalid, no more numbers go to
// store, but the rest of the file is still validated. Import then ends the
// context of store so that it rolls back, and returns a *ProblemsError
// listing every invalid row. Otherwise it returns what store returned.
//
// Import finds a number listed twice in the file itself, among the first
// MaxIndexedNumbers numbers, so that it is reported with the other
// problems. The store rejects a number already in the pool, and one listed
// twice after those.
func Import(ctx context.Context, r io.Reader, opts Options, store ImportFunc) (int, error) {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}

	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	v, width, err := readHeader(cr, opts)
	if err != nil {
		return 0, err
	}

	storeCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := startPipeline(storeCtx, cr, v, width, opts.Workers)
	s := &stream{p: p, problems: problemList{max: opts.MaxProblems}, seen: newLineIndex(MaxIndexedNumbers), cancel: cancel}

	count, storeErr := store(storeCtx, s.numbers)
	cancel(context.Canceled)
	p.drain()

	if err := s.result(); err != nil {
		return 0, err
	}
	if storeErr != nil {
		return 0, storeErr
	}
	if !s.finished {
		// The store returned without reading the whole file and without an
		// error, so the rest of the file may be missing from the pool.
		return 0, errors.New("import inventory file: the store stopped before the end of the file")
	}
	return count, nil
}

// readHeader reads and checks the header line and returns the validator of
// the rows after it and their width.
func readHeader(cr *csv.Reader, opts Options) (*validator, int, error) {
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, &ProblemsError{Problems: []Problem{{1, "the file is empty: expected a header line such as e164,type,monthly_fee"}}, Count: 1}
	}
	if err != nil {
		return nil, 0, csvError(err)
	}

	l, reasons := parseHeader(header)
	if len(reasons) > 0 {
		return nil, 0, headerProblems(reasons)
	}
	return &validator{layout: l, policies: opts.Policies, now: opts.Now.UTC(), numbers: &classifier{}}, len(header), nil
}

// pipeline reads chunks of records on one goroutine and validates them on
// others. Chunks come out of ordered in file order; at most a few chunks
// per worker are in flight, which bounds the memory.
type pipeline struct {
	ordered chan *chunk
	wg      sync.WaitGroup
	// readErr is written before ordered is closed and read after it is.
	readErr error
}

func startPipeline(ctx context.Context, cr *csv.Reader, v *validator, width, workers int) *pipeline {
	p := &pipeline{ordered: make(chan *chunk, 2*workers)}
	work := make(chan *chunk, workers)

	go func() {
		defer close(p.ordered)
		defer close(work)
		p.readErr = readChunks(ctx, cr, width, func(c *chunk) {
			p.ordered <- c
			work <- c
		})
	}()

	for range workers {
		p.wg.Go(func() {
			for c := range work {
				c.validate(v)
			}
		})
	}
	return p
}

// drain waits for the reader and the workers to stop. The context of the
// reader must have ended, or the file must have been read to its end.
func (p *pipeline) drain() {
	for c := range p.ordered {
		<-c.done
	}
	p.wg.Wait()
}

// stream turns the validated chunks into the numbers that go to the store
// and collects the problems.
type stream struct {
	p        *pipeline
	problems problemList
	seen     lineIndex
	cancel   context.CancelCauseFunc
	// finished is set once every chunk has been seen.
	finished bool
}

// numbers yields the number of each valid row until the first problem. It
// reads the file to its end either way, unless the store stops early.
func (s *stream) numbers(yield func(numberpool.Number) bool) {
	for c := range s.p.ordered {
		<-c.done
		for i, line := range c.lines {
			if reasons := s.seen.duplicate(c.rows[i].e164, line, c.reasons[i]); len(reasons) > 0 {
				s.problems.add(line, reasons...)
				continue
			}
			if s.problems.count == 0 && !yield(c.rows[i].number()) {
				return
			}
		}
	}
	s.finished = true

	s.addReadProblems()
	if s.problems.count > 0 || s.p.readErr != nil {
		// The store must roll back before its loop over the numbers ends.
		s.cancel(errInvalidFile)
	}
}

// addReadProblems adds the CSV syntax error that ended the read, if any.
func (s *stream) addReadProblems() {
	var pe *ProblemsError
	if errors.As(s.p.readErr, &pe) {
		for _, p := range pe.Problems {
			s.problems.add(p.Line, p.Reason)
		}
	}
}

// result returns the problems of the file, or the error that ended its
// read.
func (s *stream) result() error {
	if s.problems.count > 0 {
		return &ProblemsError{Problems: s.problems.problems, Count: s.problems.count}
	}
	var pe *ProblemsError
	if s.finished && s.p.readErr != nil && !errors.As(s.p.readErr, &pe) {
		return s.p.readErr
	}
	return nil
}

// FindNumber reads an inventory file again and returns the lines on which
// e164 is listed, so that the store's rejection of a duplicate number can name
// them. The file's header must be valid.
func FindNumber(ctx context.Context, r io.Reader, e164 string) ([]int, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(err)
	}
	header = slices.Clone(header)
	l, reasons := parseHeader(header)
	if len(reasons) > 0 {
		return nil, headerProblems(reasons)
	}

	var lines []int
	for i := 0; ; i++ {
		if i%chunkSize == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		if len(record) == len(header) && l.field(record, colE164) == e164 {
			line, _ := cr.FieldPos(0)
			lines = append(lines, line)
		}
	}
}
