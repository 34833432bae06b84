package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"numberpool"
	"numberpool/internal/nsnrange"
)

// A skip scan reads the page of a search with digit patterns only from the
// ranges of numbers_pool where matches can lie, and seeks past the numbers
// between them. nsnrange computes the ranges from the patterns and the
// lengths of the country's national numbers. Pools hold blocks of
// consecutive numbers, and a pattern such as 9*9*9 matches none of the first
// 90,909 numbers of a block of 100,000. A plain scan tests them all (about
// 10 ms), while a skip scan seeks once.
//
// Each query of a skip scan reads a list of ranges. Where the pool holds
// most national numbers, the ranges stay short and close to the matches.
// Where it holds few, as in a sparse pool, a seek saves little, so the rest
// of the search is one range read in order.
const (
	// skipPatternDigits is how many digits the patterns of a search must fix
	// for a skip scan. With fewer, the next match is a few dozen numbers
	// away at most, and a plain scan finds it as fast.
	skipPatternDigits = 3
	// skipFirstRanges is how many ranges the first query of a skip scan
	// reads. Each further query reads four times as many, up to
	// skipMaxRanges.
	skipFirstRanges = 4
	skipMaxRanges   = 256
	// skipGap is the distance under which two runs of possible matches
	// join one range: testing 64 numbers costs about what a seek does.
	skipGap = 64
	// skipRangeRuns bounds the runs one range joins, so that computing a
	// range costs little even when runs are many and short.
	skipRangeRuns = 64
	// skipMisses is how many seeks in a row may each move skipGap or more
	// and find no number where a match could be, before the scan probes and
	// reads ranges anyway. A seek that moves less ends the run at once.
	skipMisses = 8
	// skipPlainGaps is how many of the gaps between the numbers of a probe
	// must hold a possible match for the scan to read the next plainChunk
	// numbers in order: seeking to each would cost more.
	skipPlainGaps = 2
	// skipSparse is the distance between neighbouring numbers of the pool
	// above which a skip scan stops seeking and reads the rest in order.
	// With fewer than one national number in sixteen in the pool, a seek to
	// each possible match saves less than it costs.
	skipSparse = 16
)

// skipScanQuery returns the query that reads the available numbers of q, or
// counts them when count is set, from the ranges in :ranges, a JSON array of
// [from, to) pairs, with :limit and :offset. The loop over the ranges and the
// index order within each range give the order of the page without a sort,
// and skipScan.read checks it.
func skipScanQuery(q numberpool.SearchQuery, count bool) string {
	terms, _ := searchTerms(withoutPrefix(q), skipColumns)
	rows := `SELECT ` + qualify("n", poolColumns) + `, n.nsn
		FROM json_each(:ranges) AS r CROSS JOIN numbers AS n INDEXED BY numbers_pool
		WHERE n.status = 'available' AND ` + terms + ` AND n.nsn >= r.value ->> 0 AND n.nsn < r.value ->> 1`
	if count {
		return `SELECT count(*) FROM (` + rows + ` LIMIT CAST(:limit AS INTEGER))`
	}
	return rows + ` ` + pageLimit
}

// skipScanArgs returns the arguments of the filter terms of the queries of
// skipScanQuery.
func skipScanArgs(q numberpool.SearchQuery) []any {
	_, args := searchTerms(withoutPrefix(q), skipColumns)
	if q.Gram != "" {
		args = append(args, sql.Named("gram", q.Gram))
	}
	return args
}

// withoutPrefix returns q without its prefix. The ranges of a skip scan
// lie within it, and its terms would offer SQLite a second range of the
// index to choose: reading the whole prefix for each range made a search
// 100 times slower.
func withoutPrefix(q numberpool.SearchQuery) numberpool.SearchQuery {
	q.NSNPrefix = ""
	return q
}

// skipColumns are the columns of numbers aliased n, because json_each has a
// column named type too.
var skipColumns = searchColumns{"n.country", "n.nsn", "n.type", "n.capabilities"}

// skipScanSet returns the set of national numbers that can match the
// patterns of q, or false when a skip scan does not serve q. Searches for a
// type other than local read numbers_pool_type, and patterns with too few
// fixed digits gain nothing. Numbers whose 4-grams the sweeper has not
// indexed yet would have to be merged into the page of a 4-gram search, so
// they also send it to the plain scan.
func skipScanSet(ctx context.Context, tx *sql.Tx, q numberpool.SearchQuery, args []any) (*nsnrange.Set, bool, error) {
	if !skipScanServes(q) {
		return nil, false, nil
	}

	if q.Gram != "" {
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM gram_pending)`).Scan(&pending); err != nil {
			return nil, false, fmt.Errorf("look for numbers waiting for their 4-grams: %w", err)
		}
		if pending {
			return nil, false, nil
		}
	}

	lengths, err := nsnLengths(ctx, tx, q.Country)
	if err != nil {
		return nil, false, err
	}
	set, ok := nsnrange.New(q.NSNPatterns, lengths)
	return set, ok, nil
}

// cooledMatches returns the first q.Offset + q.Limit released numbers that
// match q and whose cooling-off period has ended by :now, which the sweeper
// has not returned to the pool yet, in search order. The sweeper keeps them
// few.
func cooledMatches(ctx context.Context, tx *sql.Tx, q numberpool.SearchQuery, args []any) ([]numberpool.Number, error) {
	terms, _ := searchTerms(q, numbersColumns)
	query := `SELECT ` + poolColumns + `, nsn` + cooledFrom + terms + ` ORDER BY nsn, e164 ` + pageLimit
	cooledArgs := append(slices.Clip(args), sql.Named("limit", q.Offset+q.Limit), sql.Named("offset", 0))
	numbers, err := querySearchPage(ctx, tx, query, cooledArgs, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("read cooled-off numbers: %w", err)
	}
	return numbers, nil
}

// skipScanWithCooled returns the page of q from a skip scan over set of the
// available numbers, merged with cooled, the first cooled-off matches.
func skipScanWithCooled(ctx context.Context, tx *sql.Tx, q numberpool.SearchQuery, set *nsnrange.Set, cooled []numberpool.Number) ([]numberpool.Number, error) {
	// Whatever their order, no more than len(cooled) cooled-off numbers
	// come before the page, so the available numbers of the page are among
	// those from this index on.
	available := q
	available.Offset = max(0, q.Offset-len(cooled))
	available.Limit = q.Limit + q.Offset - available.Offset
	numbers, _, err := skipScanPage(ctx, tx, available, set)
	if err != nil {
		return nil, err
	}
	return mergePage(numbers, available.Offset, cooled, q.Offset, q.Limit), nil
}

// mergePage returns the numbers at positions offset to offset+limit of the
// merge of two sorted lists of matches, in E.164 order. available starts at
// the available match of index first. cooled starts at the first cooled-off
// match and holds offset + limit of them, or all. When first is above zero,
// the position of a cooled-off number before available[0] is unknown, but
// it is below offset, as is first + j, the one it gets here, because first
// is offset - len(cooled).
func mergePage(available []numberpool.Number, first int, cooled []numberpool.Number, offset, limit int) []numberpool.Number {
	page := make([]numberpool.Number, 0, limit)
	position := func(before int) bool { return before >= offset && before < offset+limit }

	i, j := 0, 0
	for i < len(available) || j < len(cooled) {
		takeAvailable := j == len(cooled) || i < len(available) && available[i].E164 < cooled[j].E164
		if takeAvailable {
			if position(first + i + j) {
				page = append(page, available[i])
			}
			i++
			continue
		}
		if position(first + i + j) {
			page = append(page, cooled[j])
		}
		j++
	}
	return page
}

// skipScanServes reports whether a skip scan can serve q, whatever the
// pool holds.
func skipScanServes(q numberpool.SearchQuery) bool {
	return len(q.NSNPatterns) > 0 && shapeOf(q).typeKind != 2 && fixedDigits(q.NSNPatterns) >= skipPatternDigits
}

// explainSkipScan returns the plans of the queries of a skip scan of q,
// each after a line that names it.
func (s *Store) explainSkipScan(ctx context.Context, q numberpool.SearchQuery) (string, error) {
	args := append(skipScanArgs(q), sql.Named("limit", q.Limit), sql.Named("offset", 0))
	plan, err := s.explain(ctx, skipScanQuery(q, false), append(args, sql.Named("ranges", "[]")))
	if err != nil || q.Gram == "" {
		return "skip scan ranges:\n" + plan, err
	}

	gramPlan, err := s.explain(ctx, gramChunkQuery(q, false), append(args, sql.Named("from", ""), sql.Named("to", ":")))
	return "skip scan ranges:\n" + plan + "skip scan 4-gram entries:\n" + gramPlan, err
}

// fixedDigits returns how many digits the patterns fix in all.
func fixedDigits(patterns []string) int {
	n := 0
	for _, p := range patterns {
		n += len(p) - strings.Count(p, "_") - strings.Count(p, "%")
	}
	return n
}

// nsnLengths returns the lengths of the national numbers of country that
// the numbers table holds.
func nsnLengths(ctx context.Context, tx *sql.Tx, country string) ([]int, error) {
	lengths, err := queryColumn[int](ctx, tx, `SELECT length FROM nsn_lengths WHERE country = ?`, country)
	if err != nil {
		return nil, fmt.Errorf("read national number lengths: %w", err)
	}
	return lengths, nil
}

// skipScanPage returns the page of q that a skip scan over set reads, and
// how many matches it passed before the page.
func skipScanPage(ctx context.Context, tx *sql.Tx, q numberpool.SearchQuery, set *nsnrange.Set) ([]numberpool.Number, int, error) {
	upper := ":" // after every digit string
	if q.NSNPrefix != "" {
		upper = numberpool.NSNPrefixEnd(q.NSNPrefix)
	}
	walk := set.Walk(q.NSNPrefix, upper)
	scan := &skipScan{query: q, args: skipScanArgs(q), numbers: make([]numberpool.Number, 0, q.Limit), skip: q.Offset}

	if q.Gram != "" {
		// The entries of a 4-gram are the cheapest place to start, and
		// suffice unless the pattern is rare among many of them.
		to, err := scan.readGram(ctx, tx, q.NSNPrefix, upper)
		if err != nil {
			return nil, 0, err
		}
		walk.SkipTo(to, 0)
	}

	want := skipFirstRanges
	for len(scan.numbers) < q.Limit {
		first, far, err := scan.seekMatch(ctx, tx, set, walk, upper)
		if err != nil || first == "" {
			return scan.numbers, q.Offset - scan.skip, err
		}
		if far {
			// The last ranges went past the end of the numbers there, so
			// more of them would have cost more and found nothing.
			want = skipFirstRanges
		}

		ranges, more, err := scan.nextRanges(ctx, tx, set, walk, first, upper, want)
		if err != nil {
			return nil, 0, err
		}
		if !more {
			break
		}
		want = min(want*4, skipMaxRanges)
		if len(ranges) == 0 {
			continue
		}
		if err := scan.readRanges(ctx, tx, ranges); err != nil {
			return nil, 0, err
		}
	}
	return scan.numbers, q.Offset - scan.skip, nil
}

// skipScan is the state of a skip scan: the page so far, and how many
// matches before the page remain to be passed.
type skipScan struct {
	query   numberpool.SearchQuery
	args    []any
	numbers []numberpool.Number
	skip    int
	last    string // E.164 of the last number read
	chunk   int    // numbers the last chunk read in order, 0 after ranges
}

// seekMatch moves walk to the first available number at or after its next
// possible match, and returns that number, or "" when there is none. When
// the pool has no number at a possible match, it seeks again from the one
// it has, which passes a block of numbers without a match in one seek, up
// to skipMisses times. far reports that the walk moved skipGap or more.
func (s *skipScan) seekMatch(ctx context.Context, tx *sql.Tx, set *nsnrange.Set, walk *nsnrange.Walk, upper string) (first string, far bool, err error) {
	for misses := 0; ; misses++ {
		start, ok := walk.Next()
		if !ok {
			return "", far, nil
		}
		first, err = s.seek(ctx, tx, start, upper)
		if err != nil || first == "" {
			return "", far, err
		}
		moved := walk.SkipTo(first, skipGap)
		far = far || moved
		// A seek that found a number near where it looked skipped little,
		// and the probe that follows decides how to read on.
		if set.Contains(first) || !moved || misses == skipMisses {
			return first, far, nil
		}
	}
}

// poolNumbers is the query of the first available numbers of a country at
// or after a national number and before another, in order, with a limit.
const poolNumbers = `
	SELECT nsn FROM numbers INDEXED BY numbers_pool
	WHERE status = 'available' AND country = CAST(? AS TEXT) AND nsn >= ? AND nsn < ?
	ORDER BY nsn LIMIT `

// seek returns the first available number of the country at or after from
// and before upper, or "" when there is none.
func (s *skipScan) seek(ctx context.Context, tx *sql.Tx, from, upper string) (string, error) {
	var nsn string
	err := tx.QueryRowContext(ctx, poolNumbers+"1", s.query.Country, from, upper).Scan(&nsn)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("seek in the pool: %w", err)
	}
	return nsn, nil
}

// probeSize is how many available numbers a probe reads.
const probeSize = 32

// nextRanges returns the ranges that the next query of a skip scan reads,
// from first, an available number at or after the walk's position, on. It
// reads probeSize numbers from first to choose how:
//   - In a sparse pool, seeking saves little, so it reads the rest in order.
//   - Where possible matches lie between many of those numbers, as when the
//     country has numbers of several lengths and the longer ones can hold the
//     pattern after a shorter number, ranges would be as many as numbers. It
//     reads the next chunk of numbers in order, from plainChunk to
//     maxPlainChunk numbers, and after the longest chunk the rest.
//   - Otherwise it returns up to want ranges of possible matches.
//
// A search with a 4-gram reads its 4-gram's next entries in place of
// numbers in order, since they are fewer, and the ranges are then empty.
// more is false when nothing is left to read.
func (s *skipScan) nextRanges(ctx context.Context, tx *sql.Tx, set *nsnrange.Set, walk *nsnrange.Walk, first, upper string, want int) (ranges []nsnrange.Range, more bool, err error) {
	nsns, err := s.poolNumbers(ctx, tx, first, upper)
	if err != nil {
		return nil, false, err
	}
	dense := nsnrange.Dense(nsns, skipSparse)
	if dense && set.GapsWithMatches(nsns) < skipPlainGaps {
		s.chunk = 0
		ranges = walk.Ranges(want, skipGap, skipRangeRuns)
		return ranges, len(ranges) > 0, nil
	}

	switch {
	case s.query.Gram != "":
		to, err := s.readGram(ctx, tx, first, upper)
		walk.SkipTo(to, 0)
		return nil, to < upper, err
	case !dense || s.chunk == maxPlainChunk:
		// After the longest chunk, the pool is unlikely to change its
		// kind, and reading the rest in one query saves finding the end
		// of each chunk.
		rest, ok := walk.Rest()
		return []nsnrange.Range{rest}, ok, nil
	}
	// Each chunk in a row is four times as long as the one before.
	s.chunk = max(plainChunk, min(s.chunk*4, maxPlainChunk))
	end, err := s.numberAfter(ctx, tx, first, upper, s.chunk)
	if err != nil {
		return nil, false, err
	}
	walk.SkipTo(end, 0)
	return []nsnrange.Range{{From: first, To: end}}, true, nil
}

// poolNumbers returns the first probeSize available numbers of the country
// from from on and before upper.
func (s *skipScan) poolNumbers(ctx context.Context, tx *sql.Tx, from, upper string) ([]string, error) {
	nsns, err := queryColumn[string](ctx, tx, poolNumbers+strconv.Itoa(probeSize), s.query.Country, from, upper)
	if err != nil {
		return nil, fmt.Errorf("probe the pool: %w", err)
	}
	return nsns, nil
}

// numberAfter returns the available number of the country that follows the
// first count from from on, or upper when there are no more before upper.
func (s *skipScan) numberAfter(ctx context.Context, tx *sql.Tx, from, upper string, count int) (string, error) {
	after := upper
	err := tx.QueryRowContext(ctx, poolNumbers+"1 OFFSET "+strconv.Itoa(count), s.query.Country, from, upper).Scan(&after)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find the end of a chunk: %w", err)
	}
	return after, nil
}

// plainChunk is how many numbers a skip scan reads in order where possible
// matches lie between many numbers, about 0.2 ms of reading, and
// maxPlainChunk how many the longest of such chunks in a row reads. Tests
// lower them.
var plainChunk, maxPlainChunk = 2048, 32768

// gramBudget is how many entries of a search's 4-gram a skip scan reads
// before it goes on in numbers_pool, first gramFirstBudget of them, which
// hold the page of most searches, then the rest. A pattern that is rare
// around a common 4-gram, such as 7*2012 with 2012 in every block of the
// benchmark's pool, has its first match 35,000 entries in. Tests lower
// them.
var gramFirstBudget, gramBudget = 256, 5_000

// readGram adds the numbers of the page among the first gramBudget entries
// of the search's 4-gram from from on and before upper, and returns the
// entry after the last it read, or upper.
func (s *skipScan) readGram(ctx context.Context, tx *sql.Tx, from, upper string) (string, error) {
	for _, budget := range []int{gramFirstBudget, gramBudget - gramFirstBudget} {
		to, err := s.gramEntryAfter(ctx, tx, from, upper, budget)
		if err != nil {
			return "", err
		}
		bounds := []any{sql.Named("from", from), sql.Named("to", to)}
		if err := s.read(ctx, tx, gramChunkQuery(s.query, true), gramChunkQuery(s.query, false), bounds); err != nil {
			return "", err
		}
		if len(s.numbers) == s.query.Limit || to == upper {
			return to, nil
		}
		from = to
	}
	return from, nil
}

// gramEntryAfter returns the national number of the entry of the search's
// 4-gram that follows the first count entries from from on, or upper when
// there are no more before upper.
func (s *skipScan) gramEntryAfter(ctx context.Context, tx *sql.Tx, from, upper string, count int) (string, error) {
	to := upper
	err := tx.QueryRowContext(ctx, `
		SELECT nsn FROM pool_grams
		WHERE gram = CAST(? AS TEXT) AND country = CAST(? AS TEXT) AND nsn >= ? AND nsn < ?
		ORDER BY nsn LIMIT 1 OFFSET `+strconv.Itoa(count), s.query.Gram, s.query.Country, from, upper).Scan(&to)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find the end of the 4-gram's budget: %w", err)
	}
	return to, nil
}

// gramChunkQuery returns the query that reads the available numbers of q,
// or counts them when count is set, among the entries of its 4-gram from
// :from up to :to, with :limit and :offset.
func gramChunkQuery(q numberpool.SearchQuery, count bool) string {
	terms, _ := searchTerms(withoutPrefix(q), gramColumns)
	rows := `SELECT ` + qualifiedPoolColumns + `, g.nsn` + gramFrom + terms +
		` AND g.nsn >= CAST(:from AS TEXT) AND g.nsn < CAST(:to AS TEXT)`
	if count {
		return `SELECT count(*) FROM (` + rows + ` LIMIT CAST(:limit AS INTEGER))`
	}
	return rows + ` ORDER BY g.nsn, g.e164 ` + pageLimit
}

// readRanges adds the numbers of the page that ranges hold.
func (s *skipScan) readRanges(ctx context.Context, tx *sql.Tx, ranges []nsnrange.Range) error {
	list, err := encodeRanges(ranges)
	if err != nil {
		return err
	}
	bounds := []any{sql.Named("ranges", list)}
	return s.read(ctx, tx, skipScanQuery(s.query, true), skipScanQuery(s.query, false), bounds)
}

// read adds the numbers of the page that rowsQuery reads, and counts with
// countQuery the matches before the page. bounds are the arguments that
// select where both read.
func (s *skipScan) read(ctx context.Context, tx *sql.Tx, countQuery, rowsQuery string, bounds []any) error {
	need := s.query.Limit - len(s.numbers)
	args := append(slices.Clip(s.args), bounds...)

	if s.skip > 0 {
		// Ranges before the one holding the page's first number are only
		// counted.
		countArgs := append(slices.Clip(args), sql.Named("limit", s.skip+need))
		var n int
		if err := tx.QueryRowContext(ctx, countQuery, countArgs...).Scan(&n); err != nil {
			return fmt.Errorf("count matches before the page: %w", err)
		}
		if n <= s.skip {
			s.skip -= n
			return nil
		}
	}

	pageArgs := append(slices.Clip(args), sql.Named("limit", need), sql.Named("offset", s.skip))
	s.skip = 0
	numbers, err := querySearchPage(ctx, tx, rowsQuery, pageArgs, need)
	if err != nil {
		return err
	}
	for _, n := range numbers {
		// The numbers of one country share its calling code, so their
		// E.164 order is the order of their national numbers.
		if n.E164 <= s.last {
			return fmt.Errorf("skip scan read %s after %s: the ranges were not read in order", n.E164, s.last)
		}
		s.last = n.E164
	}
	s.numbers = append(s.numbers, numbers...)
	return nil
}

// encodeRanges returns ranges as a JSON array of [from, to) pairs.
func encodeRanges(ranges []nsnrange.Range) (string, error) {
	pairs := make([][2]string, len(ranges))
	for i, r := range ranges {
		pairs[i] = [2]string{r.From, r.To}
	}
	list, err := json.Marshal(pairs)
	if err != nil {
		return "", fmt.Errorf("encode ranges: %w", err)
	}
	return string(list), nil
}
