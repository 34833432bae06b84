package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
)

var _ numberpool.PoolStore = (*Store)(nil)

// queryArgs numbers the parameters of a query as they are added.
type queryArgs []any

// add binds v and returns its placeholder.
func (a *queryArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// searchTerms builds the filter terms of a search from constant SQL
// fragments, one per filter that q uses, with every value bound as a
// parameter. Input chooses which fragments appear but never adds text to the
// query.
func searchTerms(q numberpool.SearchQuery, args *queryArgs) string {
	terms := []string{"country = " + args.add(q.Country)}
	if q.NSNPrefix != "" {
		terms = append(terms, "nsn >= "+args.add(q.NSNPrefix)+" AND nsn < "+args.add(numberpool.NSNPrefixEnd(q.NSNPrefix)))
	}
	switch q.Type {
	case "":
	case numberpool.TypeLocal:
		terms = append(terms, "type = "+args.add(string(q.Type)))
	default:
		// The constant term lets the planner use numbers_pool_type, which
		// contains only the types other than local.
		terms = append(terms, "type = "+args.add(string(q.Type))+" AND type <> 'local'")
	}
	if bits := capabilitiesToBits(q.Capabilities); bits != 0 {
		p := args.add(bits)
		terms = append(terms, "capabilities & "+p+"::smallint = "+p+"::smallint")
	}
	for _, p := range q.NSNPatterns {
		terms = append(terms, "nsn LIKE "+args.add(p))
	}
	return strings.Join(terms, " AND ")
}

// SearchInventory returns one page of the numbers available at now that
// match f, ordered by national significant number, then E.164, with a total
// counted up to numberpool.SearchTotalCap. Available numbers come from
// numbers_pool or numbers_pool_type, or, for a contains filter with four
// consecutive digits, from the trigram index numbers_pool_digits. Released numbers
// whose cooling-off period has ended (and which no sweeper has rewritten
// yet) come from numbers_cooling_off.
func (s *Store) SearchInventory(ctx context.Context, f numberpool.SearchFilter) (numberpool.SearchPage, error) {
	q, err := f.Query()
	if err != nil {
		return numberpool.SearchPage{}, err
	}

	page := numberpool.SearchPage{Numbers: []numberpool.Number{}}
	err = s.inTx(ctx, "search inventory of "+q.Country, func(tx pgx.Tx) error {
		if err := beginSearch(ctx, tx, q); err != nil {
			return err
		}
		now := numberpool.NowSeconds(s.clock)
		built := buildSearch(q, now)

		total, budgetSpent := 0, false
		if built.budgeted {
			total, budgetSpent, err = countWithinBudget(ctx, tx, q)
			if err != nil {
				return err
			}
		}
		counted, err := countMatches(ctx, tx, built.countArms, built.args)
		if err != nil {
			return err
		}
		total += counted

		page.Numbers, err = collectPoolNumbers(ctx, tx, built.page, built.pageArgs)
		if err != nil {
			return err
		}

		page.Total, page.TotalCapped = numberpool.PageTotal(q, total, budgetSpent, len(page.Numbers))
		if numberpool.PageTotalUnproven(q, total, budgetSpent, len(page.Numbers)) {
			// The page query with the offset as its limit counts the
			// matches before the page; it costs what the page did.
			before := q
			before.Limit, before.Offset = q.Offset, 0
			counted := buildSearch(before, now)
			err := tx.QueryRow(ctx, `SELECT count(*) FROM (`+counted.page+`) AS page`, counted.pageArgs...).Scan(&page.Total)
			if err != nil {
				return fmt.Errorf("count matches before the page: %w", err)
			}
			page.TotalCapped = false
		}
		return nil
	})
	return page, err
}

// beginSearch makes tx a read-only snapshot and has PostgreSQL plan each
// statement of it for its parameter values. pgx prepares statements, and
// after five runs PostgreSQL may keep a generic plan, which assumes that a
// LIKE pattern matches 0.5% of numbers whatever it is.
//
// With a 4-gram in q, it also leaves PostgreSQL only bitmap scans, so that
// the available numbers come from numbers_pool_digits. PostgreSQL assumes
// that the matches of a pattern are spread evenly, and when it expects
// many, it reads numbers_pool in order, or the table, to stop early. On a
// 10,000,000-number pool, a count of a 4-gram whose matches were one area
// code late in that order took up to 1.7 s that way. A bitmap scan costs
// in proportion to the matches of the trigrams instead.
func beginSearch(ctx context.Context, tx pgx.Tx, q numberpool.SearchQuery) error {
	// Without arguments pgx sends all the statements in one message.
	statements := `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan`
	if q.Gram != "" {
		statements += `; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off`
	}
	if _, err := tx.Exec(ctx, statements); err != nil {
		return fmt.Errorf("begin search: %w", err)
	}
	return nil
}

// searchSQL holds the queries of one search.
type searchSQL struct {
	page     string
	pageArgs queryArgs
	// countArms are FROM clauses that bind args, whose matches
	// countMatches adds up.
	countArms []string
	args      queryArgs
	// budgeted is true when countWithinBudget counts the available
	// numbers, which countArms then leave out.
	budgeted bool
}

// buildSearch returns the queries of q at now. Patterns without four
// consecutive digits are counted within a budget, as the SQLite store
// counts the patterns it cannot look up in its 4-gram index, so that both
// stores report the same totals.
func buildSearch(q numberpool.SearchQuery, now time.Time) searchSQL {
	var args queryArgs
	nowParam := args.add(now.Unix())
	terms := searchTerms(q, &args)
	available := `FROM numbers WHERE status = 'available' AND ` + terms
	cooled := `FROM numbers WHERE status = 'released' AND available_after <= ` + nowParam + ` AND ` + terms

	built := searchSQL{countArms: []string{available, cooled}, args: args}
	if len(q.NSNPatterns) > 0 && q.Gram == "" {
		built.budgeted = true
		built.countArms = built.countArms[1:]
	}

	// PostgreSQL 15 sorted this UNION ALL as a whole instead of merging
	// its ordered arms (EXPLAIN on the benchmark pool). So each arm takes
	// its own first offset + limit numbers, which lets the available arm
	// read numbers_pool in order and stop, and only those are sorted again.
	built.pageArgs = append(queryArgs{}, args...)
	armLimit := built.pageArgs.add(q.Offset + q.Limit)
	built.page = `(SELECT ` + numberColumns + `, nsn ` + available + ` ORDER BY nsn, e164 LIMIT ` + armLimit + `)
		UNION ALL
		(SELECT ` + numberColumns + `, nsn ` + cooled + ` ORDER BY nsn, e164 LIMIT ` + armLimit + `)
		ORDER BY nsn, e164
		LIMIT ` + built.pageArgs.add(q.Limit) + ` OFFSET ` + built.pageArgs.add(q.Offset)
	return built
}

// ExplainSearch returns the plan PostgreSQL chooses for the page query of
// f, as the JSON of EXPLAIN (FORMAT JSON), for tests and benchmarks. It
// plans the query as SearchInventory does, for its parameter values.
func (s *Store) ExplainSearch(ctx context.Context, f numberpool.SearchFilter) (string, error) {
	q, err := f.Query()
	if err != nil {
		return "", err
	}

	var plan string
	err = s.inTx(ctx, "explain search of "+q.Country, func(tx pgx.Tx) error {
		if err := beginSearch(ctx, tx, q); err != nil {
			return err
		}
		built := buildSearch(q, numberpool.NowSeconds(s.clock))
		return tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+built.page, built.pageArgs...).Scan(&plan)
	})
	return plan, err
}

// scanBudget is how many available numbers a count of a contains or
// ends_with filter reads at most, the same as the SQLite store's budget for
// filters it cannot look up in its 4-gram index.
const scanBudget = 20_000

// countWithinBudget counts the available numbers that match the patterns of
// q among the first scanBudget numbers that its other filters select, and
// reports whether it read that many.
func countWithinBudget(ctx context.Context, tx pgx.Tx, q numberpool.SearchQuery) (int, bool, error) {
	patterns := q.NSNPatterns
	q.NSNPatterns = nil
	var args queryArgs
	base := searchTerms(q, &args)
	tests := make([]string, len(patterns))
	for i, p := range patterns {
		tests[i] = "nsn LIKE " + args.add(p)
	}

	query := `SELECT count(*), count(*) FILTER (WHERE ` + strings.Join(tests, " AND ") + `)
		FROM (SELECT nsn FROM numbers WHERE status = 'available' AND ` + base + ` LIMIT ` + args.add(scanBudget+1) + `) candidates`
	var scanned, matched int
	if err := tx.QueryRow(ctx, query, args...).Scan(&scanned, &matched); err != nil {
		return 0, false, fmt.Errorf("count matches within the budget: %w", err)
	}
	// One candidate past the budget distinguishes a count that stopped from
	// one that read exactly scanBudget candidates, all there were.
	return matched, scanned > scanBudget, nil
}

// countMatches counts at most SearchTotalCap + 1 matches of each arm, a
// FROM clause that binds args.
func countMatches(ctx context.Context, tx pgx.Tx, arms []string, args queryArgs) (int, error) {
	countArgs := append(queryArgs{}, args...)
	limit := countArgs.add(numberpool.SearchTotalCap + 1)
	counts := make([]string, len(arms))
	for i, arm := range arms {
		counts[i] = `(SELECT count(*) FROM (SELECT 1 ` + arm + ` LIMIT ` + limit + `) arm)`
	}
	var total int
	if err := tx.QueryRow(ctx, `SELECT `+strings.Join(counts, " + "), countArgs...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count matches: %w", err)
	}
	return total, nil
}

func collectPoolNumbers(ctx context.Context, tx pgx.Tx, query string, args queryArgs) ([]numberpool.Number, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query page: %w", err)
	}
	defer rows.Close()

	numbers := []numberpool.Number{}
	for rows.Next() {
		var nsn string
		n, _, err := scanNumber(withExtra{rows, &nsn})
		if err != nil {
			return nil, fmt.Errorf("scan page: %w", err)
		}
		numbers = append(numbers, poolView(n))
	}
	return numbers, rows.Err()
}

// withExtra scans the columns of scanNumber followed by one more column.
type withExtra struct {
	row   pgx.Row
	extra any
}

func (w withExtra) Scan(dest ...any) error {
	return w.row.Scan(append(dest, w.extra)...)
}

// poolView returns n as the pool offers it: available, with no trace of the
// account that released it.
func poolView(n numberpool.Number) numberpool.Number {
	n.Status = numberpool.StatusAvailable
	n.AccountID, n.TrunkID, n.ApplicationID = "", "", ""
	n.PurchasedAt, n.ReleasedAt, n.AvailableAfter = time.Time{}, time.Time{}, time.Time{}
	return n
}

// PurchaseNumber sells e164 to accountID in one transaction that holds the
// number's row lock. A released number whose cooling-off period has ended is
// finalised first: its release gets returned_at. It returns NOT_FOUND,
// VALIDATION_FAILED or CONFLICT as numberpool.PoolStore describes.
func (s *Store) PurchaseNumber(ctx context.Context, accountID, e164, country string) (numberpool.Number, error) {
	var bought numberpool.Number
	err := s.inTx(ctx, "purchase "+e164+" by account "+accountID, func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock)
		n, releaseID, err := scanNumber(tx.QueryRow(ctx, `SELECT `+numberColumns+` FROM numbers WHERE e164 = $1 FOR UPDATE`, e164))
		if errors.Is(err, pgx.ErrNoRows) {
			return numberpool.NotInInventory(e164)
		}
		if err != nil {
			return fmt.Errorf("read number: %w", err)
		}
		if err := numberpool.PlanPurchase(n, accountID, country, now); err != nil {
			return err
		}

		if releaseID != 0 {
			if err := markReturned(ctx, tx, []int64{releaseID}, now); err != nil {
				return err
			}
		}
		bought = numberpool.Purchased(n, accountID, now)
		return storePurchase(ctx, tx, bought, releaseID, now)
	})
	return bought, err
}

// storePurchase writes the purchase, guarded by the state PlanPurchase
// accepted: available, or released by the same release with its cooling-off
// period over.
func storePurchase(ctx context.Context, tx pgx.Tx, n numberpool.Number, releaseID int64, now time.Time) error {
	tag, err := tx.Exec(ctx, `
		UPDATE numbers
		SET status = 'active', account_id = $1, purchased_at = $2, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = $2
		WHERE e164 = $3
		  AND (status = 'available' OR (status = 'released' AND release_id = $4 AND available_after <= $2))`,
		n.AccountID, now.Unix(), n.E164, releaseID)
	if err != nil {
		return fmt.Errorf("update number: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return numberpool.Errorf(numberpool.CodeConflict, "number %s changed while it was being purchased: search it again before retrying", n.E164)
	}

	charge, ok := numberpool.SetupFeeCharge(n)
	if !ok {
		return nil
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO charges (account_id, e164, kind, amount_cents, created_at)
		VALUES ($1, $2, $3, $4, $5)`,
		charge.AccountID, charge.E164, string(charge.Kind), int64(charge.Amount), charge.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("insert setup fee charge: %w", err)
	}
	return nil
}

// markReturned records that the releases ids returned their numbers to the
// pool at now. It also ends what belonged to the ownership that ended: the
// number holds of the accounts that released them (see endHoldsSQL), and the
// call rows. A call id is unique per number, not per account, so an old row
// would make the next owner's call with the same id look like a repeat.
func markReturned(ctx context.Context, tx pgx.Tx, ids []int64, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE releases SET returned_at = $1
		WHERE id = ANY($2) AND returned_at IS NULL AND cancelled_at IS NULL`, now.Unix(), ids)
	if err != nil {
		return fmt.Errorf("mark releases returned: %w", err)
	}
	_, err = tx.Exec(ctx, `
		UPDATE holds SET lifted_at = $1
		FROM releases r
		WHERE r.id = ANY($2)`+endHoldsSQL, now.Unix(), ids)
	if err != nil {
		return fmt.Errorf("end holds of returned numbers: %w", err)
	}
	_, err = tx.Exec(ctx, `
		DELETE FROM calls USING releases r
		WHERE r.id = ANY($1) AND calls.e164 = r.e164`, ids)
	if err != nil {
		return fmt.Errorf("delete calls of returned numbers: %w", err)
	}
	return nil
}

// endHoldsSQL ends the number holds in force that the account of release r
// placed on the number it released. Such a hold belongs to that ownership,
// so it must not come back if the account buys the number again. Account
// holds (an empty e164) stay, as they cover the account rather than the number.
const endHoldsSQL = `
		  AND holds.lifted_at IS NULL AND holds.e164 <> ''
		  AND holds.e164 = r.e164 AND holds.account_id = r.account_id`

// sweepSQL returns up to $2 numbers whose cooling-off period ended by $1 to
// the pool, and ends their releases, holds and calls.
//
// The update finds its rows by key alone, because due has locked them. With
// a status test there, the planner read numbers_cooling_off (TestSweepPlan).
const sweepSQL = `
		WITH due AS (
			SELECT e164, release_id FROM numbers
			WHERE status = 'released' AND available_after <= $1
			ORDER BY available_after
			LIMIT $2
			FOR UPDATE SKIP LOCKED
		), returned AS (
			UPDATE releases SET returned_at = $1
			FROM due
			WHERE releases.id = due.release_id AND releases.returned_at IS NULL AND releases.cancelled_at IS NULL
		), ended_holds AS (
			UPDATE holds SET lifted_at = $1
			FROM due JOIN releases r ON r.id = due.release_id
			WHERE true` + endHoldsSQL + `
		), deleted_calls AS (
			DELETE FROM calls USING due WHERE calls.e164 = due.e164
		)
		UPDATE numbers
		SET status = 'available', account_id = NULL, purchased_at = NULL, trunk_id = NULL,
			application_id = NULL, release_id = NULL, released_at = NULL, available_after = NULL,
			updated_at = $1
		FROM due
		WHERE numbers.e164 = due.e164 AND numbers.release_id = due.release_id`

// ExplainSweep returns the plan PostgreSQL chooses for a batch of the
// sweeper of up to limit numbers, as EXPLAIN (FORMAT JSON) gives it, for
// tests and benchmarks. EXPLAIN does not run the statement.
func (s *Store) ExplainSweep(ctx context.Context, limit int) (string, error) {
	var plan string
	err := s.inTx(ctx, "explain sweep", func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock).Unix()
		return tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+sweepSQL, now, limit).Scan(&plan)
	})
	return plan, err
}

// Sweep returns up to limit numbers whose cooling-off period ended by now
// to the pool, oldest first, in one transaction. It locks the rows it takes
// with SKIP LOCKED, so sweepers of several replicas take disjoint batches
// rather than queue for the same rows, and a row that a purchase holds is
// left for a later batch. TestSweepReplicas runs three at once.
func (s *Store) Sweep(ctx context.Context, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("sweep: invalid limit %d: expected 1 or more", limit)
	}

	var count int
	err := s.inTx(ctx, "sweep cooled-off numbers", func(tx pgx.Tx) error {
		now := numberpool.NowSeconds(s.clock).Unix()
		tag, err := tx.Exec(ctx, sweepSQL, now, limit)
		if err != nil {
			return err
		}
		count = int(tag.RowsAffected())
		return nil
	})
	return count, err
}
