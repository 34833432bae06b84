package inventory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
)

// chunkSize is how many records go to a worker at a time: enough to make the
// hand-over cheap next to validating them.
const chunkSize = 1024

// chunk is a run of consecutive records. The reader fills it, one worker
// validates it, and the merger takes chunks back in file order.
type chunk struct {
	width   int
	lines   []int
	fields  []string // width fields per record
	rows    []row
	reasons [][]string // per record; set by the reader for a wrong field count
	done    chan struct{}
}

func newChunk(width int) *chunk {
	return &chunk{
		width:   width,
		lines:   make([]int, 0, chunkSize),
		fields:  make([]string, 0, chunkSize*width),
		reasons: make([][]string, 0, chunkSize),
		done:    make(chan struct{}),
	}
}

func (c *chunk) add(line int, record []string, reasons []string) {
	c.lines = append(c.lines, line)
	c.reasons = append(c.reasons, reasons)
	if reasons != nil {
		record = nil
	}
	c.fields = append(c.fields, record...)
	for range c.width - len(record) {
		c.fields = append(c.fields, "")
	}
}

func (c *chunk) validate(v *validator) {
	c.rows = make([]row, len(c.lines))
	for i := range c.lines {
		if c.reasons[i] != nil {
			continue
		}
		c.rows[i], c.reasons[i] = v.check(c.fields[i*c.width : (i+1)*c.width])
	}
	close(c.done)
}

// readRows validates the records after the header on opts.Workers
// goroutines while this one reads the file, and merges the results in file
// order.
func readRows(ctx context.Context, cr *csv.Reader, v *validator, width int, opts Options) (*Batch, error) {
	work := make(chan *chunk, opts.Workers)
	ordered := make(chan *chunk, 2*opts.Workers)

	// readErr is written before ordered is closed and read after the loop
	// below has seen it closed.
	var readErr error
	go func() {
		defer close(ordered)
		defer close(work)
		readErr = readChunks(ctx, cr, width, func(c *chunk) {
			ordered <- c
			work <- c
		})
	}()

	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			for c := range work {
				c.validate(v)
			}
		})
	}

	m := newMerger(opts.MaxProblems)
	for c := range ordered {
		<-c.done
		m.merge(c)
	}
	wg.Wait()

	return m.result(readErr)
}

// readChunks reads the records up to the end of the file and hands them to
// emit in chunks. It stops at the first CSV syntax error, because the
// records after it cannot be trusted, and when ctx ends.
func readChunks(ctx context.Context, cr *csv.Reader, width int, emit func(*chunk)) error {
	c := newChunk(width)
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}

		var reasons []string
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
			columns := "columns"
			if width == 1 {
				columns = "column"
			}
			reasons = []string{fmt.Sprintf("the row has %d fields but the header has %d %s", len(record), width, columns)}
		case err != nil:
			if len(c.lines) > 0 {
				emit(c)
			}
			return csvError(err)
		}

		line, _ := cr.FieldPos(0)
		c.add(line, record, reasons)
		if len(c.lines) == chunkSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			emit(c)
			c = newChunk(width)
		}
	}

	if len(c.lines) > 0 {
		emit(c)
	}
	return nil
}

// merger checks what needs the whole file, duplicates, and collects the
// valid rows and the problems in file order.
type merger struct {
	problems problemList
	seen     lineIndex
	strings  map[string]string
	rows     []row
}

func newMerger(maxProblems int) *merger {
	return &merger{
		problems: problemList{max: maxProblems},
		seen:     newLineIndex(math.MaxInt),
		strings:  make(map[string]string),
	}
}

// lineIndex is the first line of each number of a file read so far, by its
// digits, for up to limit numbers.
type lineIndex struct {
	lines map[uint64]int32
	limit int
}

// MaxIndexedNumbers bounds the numbers of a file whose lines an import
// keeps, about 70 bytes each in the resident memory of numberpool
// inventory import (1,000,000 rows: 142 MB without the index, 211 to 216
// MB with it). A number listed twice after them is left to the store,
// which rejects it when the rows before are valid.
// Tests lower it.
var MaxIndexedNumbers = 2_000_000

func newLineIndex(limit int) lineIndex {
	return lineIndex{lines: make(map[uint64]int32), limit: limit}
}

// duplicate returns the reasons of the row on line with the digits e164,
// and the duplicate it is, if an earlier row has them. Rows whose number did
// not parse have no digits and are not looked up.
func (idx lineIndex) duplicate(e164 uint64, line int, reasons []string) []string {
	if e164 == 0 {
		return reasons
	}
	if first, dup := idx.lines[e164]; dup {
		return append(reasons, fmt.Sprintf("duplicate number +%s: it is also on line %d", formatDigits(e164), first))
	}
	if len(idx.lines) < idx.limit {
		idx.lines[e164] = int32(line)
	}
	return reasons
}

func (m *merger) merge(c *chunk) {
	for i, line := range c.lines {
		r := &c.rows[i]
		reasons := m.seen.duplicate(r.e164, line, c.reasons[i])

		if len(reasons) > 0 {
			m.problems.add(line, reasons...)
			continue
		}
		// Once a row is invalid nothing is imported, so keeping the valid rows
		// would only use memory.
		if m.problems.count == 0 {
			r.region = m.intern(r.region)
			r.accountID = m.intern(r.accountID)
			m.rows = append(m.rows, *r)
		}
	}
}

// intern returns one shared copy of s. Rows must not keep the strings of the
// CSV reader, each of which holds a whole line in memory.
func (m *merger) intern(s string) string {
	if s == "" {
		return ""
	}
	if shared, ok := m.strings[s]; ok {
		return shared
	}
	s = strings.Clone(s)
	m.strings[s] = s
	return s
}

func (m *merger) result(readErr error) (*Batch, error) {
	var pe *ProblemsError
	switch {
	case errors.As(readErr, &pe):
		for _, p := range pe.Problems {
			m.problems.add(p.Line, p.Reason)
		}
	case readErr != nil:
		return nil, readErr
	}

	if m.problems.count > 0 {
		return nil, &ProblemsError{Problems: m.problems.problems, Count: m.problems.count}
	}
	return &Batch{rows: m.rows}, nil
}
