package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"numberpool"
)

var _ numberpool.PoolStore = (*Store)(nil)

// searchColumns names the columns that search terms test, so that one
// builder serves the numbers table alone and the join of pool_grams with it.
type searchColumns struct {
	country, nsn, typ, capabilities string
}

var (
	numbersColumns = searchColumns{"country", "nsn", "type", "capabilities"}
	gramColumns    = searchColumns{"g.country", "g.nsn", "n.type", "n.capabilities"}
	pendingColumns = searchColumns{"numbers.country", "numbers.nsn", "numbers.type", "numbers.capabilities"}
)

// textParam returns the named text parameter name wrapped in a CAST. SQLite
// reads the value of some bare parameters while it plans, as measured here
// for the country and a LIMIT, and then prepares the statement again each
// time a value is bound. Under perf, sqlite3Reprepare took 46% of the time
// of a query that reads one index entry (55 µs, and 12 µs with the CAST).
// The CAST keeps the plan. Every text value of a search, LIKE patterns
// included, goes through it.
func textParam(name string) string {
	return "CAST(:" + name + " AS TEXT)"
}

// pageLimit is LIMIT and OFFSET from the parameters limit and offset, each
// in a CAST for the reason textParam gives: SQLite reads a bare LIMIT
// parameter while it plans.
const pageLimit = "LIMIT CAST(:limit AS INTEGER) OFFSET CAST(:offset AS INTEGER)"

// searchTerms builds the filter terms of a search from constant SQL
// fragments, one per filter that q uses, with every value bound as a named
// parameter. Input chooses which fragments appear but never adds text to
// the query.
func searchTerms(q numberpool.SearchQuery, c searchColumns) (string, []any) {
	terms := []string{c.country + " = " + textParam("country")}
	args := []any{sql.Named("country", q.Country)}

	if q.NSNPrefix != "" {
		terms = append(terms, c.nsn+" >= "+textParam("prefix")+" AND "+c.nsn+" < "+textParam("prefix_end"))
		args = append(args, sql.Named("prefix", q.NSNPrefix), sql.Named("prefix_end", numberpool.NSNPrefixEnd(q.NSNPrefix)))
	}
	switch q.Type {
	case "":
	case numberpool.TypeLocal:
		terms = append(terms, c.typ+" = "+textParam("type"))
		args = append(args, sql.Named("type", string(q.Type)))
	default:
		// The constant term lets SQLite use numbers_pool_type, which holds
		// only the types other than local.
		terms = append(terms, c.typ+" = "+textParam("type")+" AND "+c.typ+" <> 'local'")
		args = append(args, sql.Named("type", string(q.Type)))
	}
	if bits := encodeCapabilities(q.Capabilities); bits != 0 {
		terms = append(terms, c.capabilities+" & :capabilities = :capabilities")
		args = append(args, sql.Named("capabilities", bits))
	}
	for i, p := range q.NSNPatterns {
		name := fmt.Sprintf("nsn_pattern_%d", i)
		terms = append(terms, c.nsn+" LIKE "+textParam(name))
		args = append(args, sql.Named(name, p))
	}
	return strings.Join(terms, " AND "), args
}

// searchSQL holds the page and count queries of one search.
type searchSQL struct {
	page, count string
	// scanCount, when set, reads the first :budget numbers that the
	// filters other than the patterns select, and returns how many it read
	// and how many of them the patterns match. count then covers the
	// cooled-off arm alone.
	scanCount string
	args      []any
}

// scanBudget is how many index entries a count of a contains filter reads
// at most: numbers when the filter has no four consecutive digits, or else
// entries of its 4-gram. The filter is tested on each entry, at about 0.2 µs
// an entry on a warm 10,000,000-number pool (sqlite3 .timer), so a count of
// a sparse filter stops there and reports its total as capped. A count of a
// dense one stops sooner, at the total cap. The page itself still reads as
// far as it must. A budget of 5,000 cut the p99 of d*d*d searches from 17 ms
// to 13 ms there, and of d*dddd searches from 16 ms to 9 ms
// (bench/poolbench). Tests lower it; nothing else changes it.
var scanBudget = 5_000

// The arms of a search. Available numbers come from numbers_pool or
// numbers_pool_type, or, when the search has a 4-gram, from pool_grams
// joined to their rows, which tell whether they are available, and from the
// numbers whose 4-grams are still pending. Released numbers whose cooling-off
// period has ended by :now, which the sweeper has not yet rewritten, come
// from numbers_cooling_off and are few while the sweeper runs.
const (
	availableFrom = ` FROM numbers WHERE status = 'available' AND `
	cooledFrom    = ` FROM numbers WHERE status = 'released' AND available_after <= :now AND `
	// CROSS JOIN makes SQLite read the left table first, in its key order.
	gramFrom = ` FROM pool_grams AS g CROSS JOIN numbers AS n ON n.e164 = g.e164
		WHERE g.gram = CAST(:gram AS TEXT) AND n.status = 'available' AND `
	//
	// NOTE: the pending arm reads every pending number, so right after a
	// large import, until the sweeper has indexed it (about two minutes
	// for 1,000,000 numbers), a contains search reads the whole import.
	pendingFrom = ` FROM gram_pending AS p CROSS JOIN numbers ON numbers.e164 = p.e164
		WHERE numbers.status = 'available' AND `
)

// searchShape is what decides the SQL text of a search: which filters it
// uses, not their values.
type searchShape struct {
	prefix, capabilities, gram bool
	typeKind                   int // 0 any, 1 local, 2 another type
	patterns                   int
}

func shapeOf(q numberpool.SearchQuery) searchShape {
	shape := searchShape{
		prefix:       q.NSNPrefix != "",
		capabilities: encodeCapabilities(q.Capabilities) != 0,
		gram:         q.Gram != "",
		patterns:     len(q.NSNPatterns),
	}
	switch q.Type {
	case "":
	case numberpool.TypeLocal:
		shape.typeKind = 1
	default:
		shape.typeKind = 2
	}
	return shape
}

// searchTexts contains the SQL of each search shape built so far, without
// arguments. There are a few dozen shapes at most, and building the text
// took about a tenth of the memory a search allocated.
var searchTexts sync.Map // searchShape to searchSQL

// buildSearch returns the queries of q, with its arguments.
func buildSearch(q numberpool.SearchQuery) searchSQL {
	_, args := searchTerms(q, numbersColumns)
	if q.Gram != "" {
		args = append(args, sql.Named("gram", q.Gram))
	}

	shape := shapeOf(q)
	built, ok := searchTexts.Load(shape)
	if !ok {
		built, _ = searchTexts.LoadOrStore(shape, buildSearchText(q))
	}
	search := built.(searchSQL)
	search.args = args
	return search
}

// buildSearchText returns the queries of q without arguments. The page
// query merges the sorted arms, which SQLite does for a compound SELECT
// without sorting the large arm, and stops after the page. The count reads
// at most SearchTotalCap + 1 matches of each arm.
func buildSearchText(q numberpool.SearchQuery) searchSQL {
	terms, _ := searchTerms(q, numbersColumns)
	arms := []string{`SELECT ` + poolColumns + `, nsn` + availableFrom + terms}
	counts := []string{`SELECT 1` + availableFrom + terms}
	if q.Gram != "" {
		gramTerms, _ := searchTerms(q, gramColumns)
		pendingTerms, _ := searchTerms(q, pendingColumns)
		arms = []string{
			`SELECT ` + qualifiedPoolColumns + `, g.nsn AS nsn` + gramFrom + gramTerms,
			`SELECT ` + qualify("numbers", poolColumns) + `, numbers.nsn` + pendingFrom + pendingTerms,
		}
		counts = []string{"", `SELECT 1` + pendingFrom + pendingTerms}
	}
	arms = append(arms, `SELECT `+poolColumns+`, nsn`+cooledFrom+terms)
	counts = append(counts, `SELECT 1`+cooledFrom+terms)

	// A budgeted count replaces the count of the first arm.
	var scanCount string
	switch {
	case q.Gram != "":
		scanCount = budgetedGramCount(q)
		counts = counts[1:]
	case len(q.NSNPatterns) > 0:
		scanCount = budgetedCount(q)
		counts = counts[1:]
	}
	for i, c := range counts {
		counts[i] = `(SELECT count(*) FROM (` + c + ` LIMIT :cap + 1))`
	}
	return searchSQL{
		page:      strings.Join(arms, "\nUNION ALL\n") + "\nORDER BY nsn, e164 " + pageLimit,
		count:     `SELECT ` + strings.Join(counts, " + "),
		scanCount: scanCount,
	}
}

// budgetedGramCount returns the query that reads at most :budget entries of
// the 4-gram of q that the country and prefix select, and counts how many of
// them are available numbers that match the patterns and the other filters.
// A common 4-gram in a pattern that is rare otherwise, such as 2000 in
// 3*2000, has about 100,000 entries in the benchmark's 10,000,000-number
// pool, and reading them all took as long as the page itself.
// It checks each number in numbers_pool, which holds every column the
// filters test, rather than in its row: one probe of a dense index instead
// of two. On a warm 10,000,000-number pool, a count of 1,000 took 2 ms this
// way and 3 ms through the row (sqlite3 .timer).
func budgetedGramCount(q numberpool.SearchQuery) string {
	rowFilters := numberpool.SearchQuery{Type: q.Type, Capabilities: q.Capabilities}
	patterns := q.NSNPatterns
	q.Type, q.Capabilities, q.NSNPatterns = "", nil, nil
	base, _ := searchTerms(q, gramColumns)

	probe := `n.status = 'available' AND n.country = g.country AND n.nsn = g.nsn AND n.e164 = g.e164`
	if rowTerms := rowFilterTerms(rowFilters); rowTerms != "" {
		probe += " AND " + rowTerms
	}
	var tests []string
	for i := range patterns {
		tests = append(tests, "g.nsn LIKE "+textParam(fmt.Sprintf("nsn_pattern_%d", i)))
	}
	tests = append(tests, `EXISTS (SELECT 1 FROM numbers AS n INDEXED BY numbers_pool WHERE `+probe+`)`)

	candidates := `SELECT g.country, g.nsn, g.e164 FROM pool_grams AS g WHERE g.gram = ` + textParam("gram") + ` AND ` + base + ` LIMIT :budget + 1`
	return budgeted(candidates, strings.Join(tests, " AND "))
}

// rowFilterTerms returns the terms of the type and capability filters of q
// on the table aliased n, with the parameter names of searchTerms.
func rowFilterTerms(q numberpool.SearchQuery) string {
	var terms []string
	if q.Type != "" {
		terms = append(terms, "n.type = "+textParam("type"))
	}
	if encodeCapabilities(q.Capabilities) != 0 {
		terms = append(terms, "n.capabilities & :capabilities = :capabilities")
	}
	return strings.Join(terms, " AND ")
}

// budgetedCount returns the query that reads at most :budget numbers that
// the filters other than the patterns select, and counts how many of them
// the patterns match.
func budgetedCount(q numberpool.SearchQuery) string {
	patterns := q.NSNPatterns
	q.NSNPatterns = nil
	base, _ := searchTerms(q, numbersColumns)

	var tests []string
	for i := range patterns {
		tests = append(tests, "nsn LIKE "+textParam(fmt.Sprintf("nsn_pattern_%d", i)))
	}
	return budgeted(`SELECT nsn`+availableFrom+base+` LIMIT :budget + 1`, strings.Join(tests, " AND "))
}

// budgeted returns the query that counts the rows of candidates, a query
// with LIMIT :budget + 1, that pass tests, and stops at :cap + 1 of them. Its
// two columns are how many candidates it read and how many passed. The
// first is 0 when the count stopped at the cap, because only a count that
// read every candidate without reaching the cap needs it. Reading one
// candidate past the budget distinguishes a count that stopped from one that read
// exactly :budget candidates, all there were.
func budgeted(candidates, tests string) string {
	return `SELECT CASE WHEN matched > :cap THEN 0 ELSE (SELECT count(*) FROM (` + candidates + `)) END, matched
		FROM (SELECT count(*) AS matched
		      FROM (SELECT 1 FROM (` + candidates + `) AS g WHERE ` + tests + ` LIMIT :cap + 1))`
}

// poolColumns are the columns of a number that the pool shows. The columns
// of its owner, if any, are left out, so a search shows no trace of the
// account that released a number.
const poolColumns = `e164, country, type, region, capabilities, monthly_fee_cents, setup_fee_cents, updated_at`

// qualifiedPoolColumns is poolColumns of the table aliased n, except that
// e164 comes from pool_grams, whose key order the page then follows without
// a sort.
var qualifiedPoolColumns = strings.Replace(qualify("n", poolColumns), "n.e164", "g.e164", 1)

func qualify(alias, columns string) string {
	names := strings.Split(columns, ",")
	for i, name := range names {
		names[i] = alias + "." + strings.TrimSpace(name)
	}
	return strings.Join(names, ", ")
}

// SearchInventory returns one page of the numbers available at now that
// match f, ordered by national significant number, then E.164, with a total
// counted up to numberpool.SearchTotalCap.
func (s *Store) SearchInventory(ctx context.Context, f numberpool.SearchFilter) (numberpool.SearchPage, error) {
	q, err := f.Query()
	if err != nil {
		return numberpool.SearchPage{}, err
	}

	built := buildSearch(q)
	page := numberpool.SearchPage{Numbers: []numberpool.Number{}}
	err = s.read(ctx, "search inventory of "+q.Country, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		args := append(slices.Clip(built.args), sql.Named("now", now.Unix()))

		numbers, total, exact, err := readSearchPage(ctx, tx, q, built, args)
		if err != nil {
			return err
		}
		page.Numbers = numbers
		if exact {
			page.Total, page.TotalCapped = total, false
			return nil
		}
		if numberpool.PageProvesTotal(q, len(page.Numbers)) {
			page.Total, page.TotalCapped = q.Offset+len(page.Numbers), false
			return nil
		}

		total, budgetSpent, err := countSearch(ctx, tx, built, args)
		if err != nil {
			return err
		}
		page.Total, page.TotalCapped = numberpool.PageTotal(q, total, budgetSpent, len(page.Numbers))
		if numberpool.PageTotalUnproven(q, total, budgetSpent, len(page.Numbers)) {
			// The page query with the offset as its limit counts the
			// matches before the page; it costs what the page did.
			beforeArgs := append(slices.Clip(args), sql.Named("limit", q.Offset), sql.Named("offset", 0))
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+built.page+`)`, beforeArgs...).Scan(&page.Total)
			if err != nil {
				return fmt.Errorf("count matches before the page: %w", err)
			}
			page.TotalCapped = false
		}
		return nil
	})
	return page, err
}

// readSearchPage returns the page of q, and its exact total when reading
// the page proved it: an empty page past the first that a skip scan read
// went through every match, all of them before the page.
func readSearchPage(ctx context.Context, tx *sql.Tx, q numberpool.SearchQuery, built searchSQL, args []any) ([]numberpool.Number, int, bool, error) {
	set, skipScan, err := skipScanSet(ctx, tx, q, args)
	if err != nil {
		return nil, 0, false, err
	}
	if !skipScan {
		pageArgs := append(slices.Clip(args), sql.Named("limit", q.Limit), sql.Named("offset", q.Offset))
		numbers, err := querySearchPage(ctx, tx, built.page, pageArgs, q.Limit)
		return numbers, 0, false, err
	}

	cooled, err := cooledMatches(ctx, tx, q, args)
	if err != nil {
		return nil, 0, false, err
	}
	if len(cooled) > 0 {
		numbers, err := skipScanWithCooled(ctx, tx, q, set, cooled)
		return numbers, 0, false, err
	}
	numbers, passed, err := skipScanPage(ctx, tx, q, set)
	return numbers, passed, len(numbers) == 0 && q.Offset > 0, err
}

// countSearch counts the matches of a search up to the cap, and reports
// whether a budgeted count stopped before reading every candidate.
func countSearch(ctx context.Context, tx *sql.Tx, built searchSQL, args []any) (int, bool, error) {
	countArgs := append(slices.Clip(args), sql.Named("cap", numberpool.SearchTotalCap), sql.Named("budget", scanBudget))
	var total int
	if err := tx.QueryRowContext(ctx, built.count, countArgs...).Scan(&total); err != nil {
		return 0, false, fmt.Errorf("count matches: %w", err)
	}
	if built.scanCount == "" {
		return total, false, nil
	}

	var scanned, matched int
	if err := tx.QueryRowContext(ctx, built.scanCount, countArgs...).Scan(&scanned, &matched); err != nil {
		return 0, false, fmt.Errorf("count matches within the budget: %w", err)
	}
	return total + matched, scanned > scanBudget, nil
}

// ExplainSearch returns the plan SQLite chooses for the page query of f, one
// line per step of EXPLAIN QUERY PLAN, for tests and benchmarks. For a
// search that a skip scan can serve, the plans of its queries follow.
func (s *Store) ExplainSearch(ctx context.Context, f numberpool.SearchFilter) (string, error) {
	q, err := f.Query()
	if err != nil {
		return "", err
	}
	built := buildSearch(q)
	args := append(built.args, sql.Named("now", 0), sql.Named("limit", q.Limit), sql.Named("offset", q.Offset))
	plan, err := s.explain(ctx, built.page, args)
	if err != nil || !skipScanServes(q) {
		return plan, err
	}

	skipPlan, err := s.explainSkipScan(ctx, q)
	return plan + skipPlan, err
}

// explain returns the plan of query, one line per step.
func (s *Store) explain(ctx context.Context, query string, args []any) (string, error) {
	rows, err := s.reader.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return "", wrapError("explain search", err)
	}
	defer rows.Close()

	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", wrapError("explain search", err)
		}
		plan.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		return "", wrapError("explain search", err)
	}
	return plan.String(), nil
}

// querySearchPage returns the numbers of a page query, available.
func querySearchPage(ctx context.Context, tx *sql.Tx, query string, args []any, limit int) ([]numberpool.Number, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query page: %w", err)
	}
	defer rows.Close()

	// One set of scan targets serves every row, so a row allocates only
	// its strings: garbage collections, which set the p99 of a search, then
	// come less often.
	var (
		n                                             numberpool.Number
		capabilities, monthlyFee, setupFee, updatedAt int64
		nsn                                           string
	)
	dest := []any{&n.E164, &n.Country, &n.Type, &n.Region, &capabilities, &monthlyFee, &setupFee, &updatedAt, &nsn}
	numbers := make([]numberpool.Number, 0, limit)
	for rows.Next() {
		n = numberpool.Number{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan page: %w", err)
		}
		n.Status = numberpool.StatusAvailable
		n.Capabilities = decodeCapabilities(capabilities)
		n.MonthlyFee = numberpool.Cents(monthlyFee)
		n.SetupFee = numberpool.Cents(setupFee)
		n.UpdatedAt = time.Unix(updatedAt, 0).UTC()
		numbers = append(numbers, n)
	}
	return numbers, rows.Err()
}

// PurchaseNumber sells e164 to accountID in one transaction. A released
// number whose cooling-off period has ended is finalised first: its release
// gets returned_at. It returns NOT_FOUND, VALIDATION_FAILED or CONFLICT as
// numberpool.PoolStore describes.
func (s *Store) PurchaseNumber(ctx context.Context, accountID, e164, country string) (numberpool.Number, error) {
	var bought numberpool.Number
	err := s.write(ctx, "purchase "+e164+" by account "+accountID, func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		row, err := scanNumber(tx.QueryRowContext(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = ?`, e164))
		if errors.Is(err, sql.ErrNoRows) {
			return numberpool.NotInInventory(e164)
		}
		if err != nil {
			return fmt.Errorf("read number: %w", err)
		}
		if err := numberpool.PlanPurchase(row.Number, accountID, country, now); err != nil {
			return err
		}

		if row.releaseID != 0 {
			if err := markReturned(ctx, tx, []int64{row.releaseID}, now); err != nil {
				return err
			}
		}
		bought = numberpool.Purchased(row.Number, accountID, now)
		return storePurchase(ctx, tx, bought, row.releaseID, now)
	})
	return bought, err
}

// storePurchase writes the purchase, guarded by the state PlanPurchase
// accepted: available, or released by the same release with its cooling-off
// period over.
func storePurchase(ctx context.Context, tx *sql.Tx, n numberpool.Number, releaseID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'active', account_id = :account, purchased_at = :now, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = :now
		WHERE e164 = :e164
		  AND (status = 'available' OR (status = 'released' AND release_id = :release AND available_after <= :now))`,
		sql.Named("account", n.AccountID), sql.Named("now", now.Unix()), sql.Named("e164", n.E164),
		sql.Named("release", releaseID))
	if err := expectOneRow(res, err, n.E164); err != nil {
		return err
	}

	charge, ok := numberpool.SetupFeeCharge(n)
	if !ok {
		return nil
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO charges (account_id, e164, kind, amount_cents, created_at)
		VALUES (?, ?, ?, ?, ?)`,
		charge.AccountID, charge.E164, string(charge.Kind), int64(charge.Amount), charge.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("insert setup fee charge: %w", err)
	}
	return nil
}

// markReturned records that the releases ids returned their numbers to the
// pool at now. It also ends what belonged to the ownership that ended: the
// number holds of the accounts that released them, and the call rows. The
// ids travel as one JSON array, so each statement has one parameter whatever
// their count.
func markReturned(ctx context.Context, tx *sql.Tx, ids []int64, now time.Time) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode release ids: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE releases SET returned_at = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND returned_at IS NULL AND cancelled_at IS NULL`,
		now.Unix(), string(list))
	if err != nil {
		return fmt.Errorf("mark releases returned: %w", err)
	}
	if err := endNumberHolds(ctx, tx, string(list), now); err != nil {
		return err
	}
	return deleteNumberCalls(ctx, tx, string(list))
}

// deleteNumberCalls deletes the call rows of the numbers that the releases
// list (a JSON array of ids) returned. A call id is unique per number, not
// per account, so a row left behind would make the next owner's call with
// the same id look like a repeated event. The old owner cannot add rows
// back, because its events for the number return NOT_FOUND once the
// cooling-off period has ended.
func deleteNumberCalls(ctx context.Context, tx *sql.Tx, list string) error {
	_, err := tx.ExecContext(ctx, `
		DELETE FROM calls
		WHERE e164 IN (SELECT r.e164 FROM releases r WHERE r.id IN (SELECT value FROM json_each(?)))`,
		list)
	if err != nil {
		return fmt.Errorf("delete calls of returned numbers: %w", err)
	}
	return nil
}

// endNumberHolds lifts, at now, the number holds still in force that the
// accounts of the releases list (a JSON array of ids) placed on the numbers
// they released. Such a hold belongs to that ownership, so it must not come
// back if the account buys the number again. Account holds (an empty e164)
// stay, as they cover the account rather than the number.
func endNumberHolds(ctx context.Context, tx *sql.Tx, list string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE holds SET lifted_at = ?
		WHERE lifted_at IS NULL AND e164 <> ''
		  AND EXISTS (SELECT 1 FROM releases r
		              WHERE r.id IN (SELECT value FROM json_each(?))
		                AND r.e164 = holds.e164 AND r.account_id = holds.account_id)`,
		now.Unix(), list)
	if err != nil {
		return fmt.Errorf("end holds of returned numbers: %w", err)
	}
	return nil
}

// Sweep returns up to limit numbers whose cooling-off period ended by now
// to the pool, oldest first, in one write transaction. Keep limit small
// enough that the transaction is short, because releases and purchases wait
// for the one writer while it runs. Its commit is not synced: a batch lost
// to a power failure leaves numbers that searches and purchases already
// treat as available, and the next sweep returns them again.
func (s *Store) Sweep(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("sweep: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.writeUnsynced(ctx, "sweep cooled-off numbers", func(tx *sql.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		due, err := dueNumbers(ctx, tx, now, limit)
		if err != nil || len(due.rowIDs) == 0 {
			return err
		}
		if err := markReturned(ctx, tx, due.releaseIDs, now); err != nil {
			return err
		}
		count, err = returnNumbers(ctx, tx, due.rowIDs, now)
		return err
	})
	return count, err
}

// dueBatch is a batch of released numbers whose cooling-off period is over:
// the rowids of their rows and the ids of their releases.
type dueBatch struct {
	rowIDs, releaseIDs []int64
}

func dueNumbers(ctx context.Context, tx *sql.Tx, now time.Time, limit int) (dueBatch, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT rowid, release_id FROM numbers
		WHERE status = 'released' AND available_after <= ?
		ORDER BY available_after
		LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return dueBatch{}, fmt.Errorf("select cooled-off numbers: %w", err)
	}
	defer rows.Close()

	var due dueBatch
	for rows.Next() {
		var rowID, releaseID int64
		if err := rows.Scan(&rowID, &releaseID); err != nil {
			return dueBatch{}, fmt.Errorf("scan cooled-off number: %w", err)
		}
		due.rowIDs = append(due.rowIDs, rowID)
		due.releaseIDs = append(due.releaseIDs, releaseID)
	}
	return due, rows.Err()
}

// returnNumbers rewrites the rows rowIDs to available. The guard repeats the
// cooling-off check, so a number is never returned early.
func returnNumbers(ctx context.Context, tx *sql.Tx, rowIDs []int64, now time.Time) (int, error) {
	list, err := json.Marshal(rowIDs)
	if err != nil {
		return 0, fmt.Errorf("encode row ids: %w", err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE numbers
		SET status = 'available', account_id = NULL, purchased_at = NULL, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = :now
		WHERE rowid IN (SELECT value FROM json_each(:ids))
		  AND status = 'released' AND available_after <= :now`,
		sql.Named("now", now.Unix()), sql.Named("ids", string(list)))
	if err != nil {
		return 0, fmt.Errorf("return numbers to the pool: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("return numbers to the pool: %w", err)
	}
	return int(n), nil
}
