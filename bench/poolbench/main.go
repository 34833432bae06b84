// Command poolbench measures the pool on a large SQLite file. It reports the
// first-page search latency by area code, starts_with and contains, the
// purchase and release throughput, the sweeper throughput with the release
// latency while it runs, the file size and the peak memory of the process. It prints the
// query plans the searches use. With -mode import it times ImportNumbers
// and the 4-gram indexing that follows an import instead. With -mode csv it
// writes the numbers of -mode import to an inventory file for
// numberpool inventory import, and opens no database.
//
//	go run ./bench/poolbench -mode generate -n 10000000 -db /tmp/pool.db
//	go run ./bench/poolbench -mode pool -n 10000000 -db /tmp/pool.db
//	go run ./bench/poolbench -mode import -n 1000000 -db /tmp/import.db
//	go run ./bench/poolbench -mode csv -n 1000000 -csv /tmp/import.csv
//
// Latencies are of the store's methods in this process, without HTTP.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"iter"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"numberpool"
	"numberpool/store/sqlite"
	"numberpool/sweeper"
)

func main() {
	n := flag.Int("n", 1_000_000, "numbers in the pool")
	path := flag.String("db", "poolbench.db", "SQLite file, or the postgres:// URL of an existing database for modes generate and pool")
	mode := flag.String("mode", "pool", "generate: create the file with a pool of n available numbers, fast; "+
		"pool: measure searches, purchases, releases and the sweeper on a generated file of n numbers; "+
		"import: create the file and time ImportNumbers and the 4-gram indexing of n numbers; "+
		"csv: write the numbers of mode import to the inventory file -csv")
	csvPath := flag.String("csv", "poolbench.csv", "inventory file that mode csv writes")
	queries := flag.Int("queries", 300, "searches per kind")
	buys := flag.Int("buys", 5000, "numbers to purchase and release; as many more are released while the sweeper runs")
	batch := flag.Int("batch", 500, "sweeper batch size")
	seed := flag.Uint64("seed", 1, "seed of the numbers bought; give another one to run mode pool again on the same file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file, for go tool pprof")
	flag.Parse()

	if *cpuProfile != "" {
		stop := startCPUProfile(*cpuProfile)
		defer stop()
	}
	buySeed = *seed
	poolSize = *n
	if *mode == "csv" {
		writeCSV(*csvPath, *n)
		return
	}
	if isPostgresURL(*path) {
		fmt.Printf("poolbench mode=%s n=%d queries=%d buys=%d batch=%d on PostgreSQL\n", *mode, *n, *queries, *buys, *batch)
		runPostgres(context.Background(), *path, *mode, *queries, *buys, *batch)
		return
	}

	_, statErr := os.Stat(*path)
	if exists := statErr == nil; exists != (*mode == "pool") {
		log.Fatalf("mode %s needs %s to exist only for mode pool: generate it first, or give a new file", *mode, *path)
	}
	ctx := context.Background()
	clock := numberpool.NewManualClock(time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC))
	store, err := sqlite.Open(ctx, *path, sqlite.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	fmt.Printf("poolbench mode=%s n=%d queries=%d buys=%d batch=%d\n", *mode, *n, *queries, *buys, *batch)
	switch *mode {
	case "generate":
		createAccount(ctx, store)
		generate(ctx, *path, *n)
	case "import":
		createAccount(ctx, store)
		importPool(ctx, store, *n)
		indexAll(ctx, store)
	case "pool":
		measurePool(ctx, store, clock, *queries, *buys, *batch)
	default:
		log.Fatalf("unknown mode %q: expected generate, pool, import or csv", *mode)
	}
	report(*path)
}

func createAccount(ctx context.Context, store benchStore) {
	if _, err := store.CreateAccount(ctx, "acc_bench"); err != nil {
		log.Fatal(err)
	}
}

// poolSize is the count of numbers in the generated pool.
var poolSize int

// buySeed picks the numbers that mode pool buys.
var buySeed uint64

// areaCodes are the US area codes of the generated pool.
var areaCodes = []int{201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224,
	225, 228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 272, 276, 281, 301,
	302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 331,
	334, 336, 337, 339, 346, 347, 351, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412,
	413, 414, 415, 417, 419, 423, 424, 425, 430, 432, 434, 435, 440, 442}

// poolNumber returns the i-th of n numbers in E.164 order: n/len(areaCodes)
// consecutive numbers of each area code.
func poolNumber(i, n int) string {
	perCode := (n + len(areaCodes) - 1) / len(areaCodes)
	return fmt.Sprintf("+1%d%07d", areaCodes[i/perCode], 2_000_000+i%perCode)
}

// poolNumbers yields the numbers of poolNumber spread over the area codes,
// in an order that is not the E.164 order, as a CSV file might list them.
func poolNumbers(n int) iter.Seq[numberpool.Number] {
	return func(yield func(numberpool.Number) bool) {
		perCode := (n + len(areaCodes) - 1) / len(areaCodes)
		for i := range n {
			j := (i%len(areaCodes))*perCode + i/len(areaCodes)
			if j >= n {
				continue
			}
			if !yield(availableNumber(poolNumber(j, n))) {
				return
			}
		}
	}
}

func availableNumber(e164 string) numberpool.Number {
	return numberpool.Number{
		E164: e164, Country: "US", Type: numberpool.TypeLocal, Region: "US",
		Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
		MonthlyFee:   115, Status: numberpool.StatusAvailable,
	}
}

func importPool(ctx context.Context, store *sqlite.Store, n int) {
	start := time.Now()
	count, err := store.ImportNumbers(ctx, poolNumbers(n))
	if err != nil {
		log.Fatal(err)
	}
	d := time.Since(start)
	fmt.Printf("import: %d numbers through ImportNumbers in %.1f s (%.0f rows/s)\n", count, d.Seconds(), float64(count)/d.Seconds())
}

// indexAll runs IndexGrams until nothing is pending, in the sweeper's
// batches, and reports the throughput and the longest batch.
func indexAll(ctx context.Context, store *sqlite.Store) {
	start := time.Now()
	total := 0
	var longest time.Duration
	for {
		b := time.Now()
		n, err := store.IndexGrams(ctx, sweeper.GramBatchSize)
		longest = max(longest, time.Since(b))
		if err != nil {
			log.Fatal(err)
		}
		total += n
		if n == 0 {
			break
		}
	}
	d := time.Since(start)
	fmt.Printf("4-gram indexing: %d numbers in %.1f s (%.0f/s), batches of %d, longest %.1f ms\n",
		total, d.Seconds(), float64(total)/d.Seconds(), sweeper.GramBatchSize, ms(longest))
}

// generate fills the pool without ImportNumbers: rows in E.164 order, which
// appends to every index, in large transactions, then the 4-gram index in
// one sorted pass. It is for building large pools quickly, not a measure of
// the import.
func generate(ctx context.Context, path string, n int) {
	start := time.Now()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec(ctx, db, `PRAGMA cache_size = -262144`)

	const rowsPerInsert, rowsPerTx = 200, 500_000
	insert := `INSERT INTO numbers (e164, country, type, region, capabilities, monthly_fee_cents, status, created_at, updated_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, 'US', 'local', 'US', 3, 115, 'available', 0, 0), `, rowsPerInsert), ", ")
	var tx *sql.Tx
	args := make([]any, 0, rowsPerInsert)
	for i := range n {
		if i%rowsPerTx == 0 {
			if tx != nil {
				mustCommit(tx)
			}
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				log.Fatal(err)
			}
		}
		args = append(args, poolNumber(i, n))
		if len(args) == rowsPerInsert || i == n-1 {
			query := insert
			if len(args) < rowsPerInsert {
				query = `INSERT INTO numbers (e164, country, type, region, capabilities, monthly_fee_cents, status, created_at, updated_at) VALUES ` +
					strings.TrimSuffix(strings.Repeat(`(?, 'US', 'local', 'US', 3, 115, 'available', 0, 0), `, len(args)), ", ")
			}
			if _, err := tx.ExecContext(ctx, query, args...); err != nil {
				log.Fatal(err)
			}
			args = args[:0]
		}
	}
	mustCommit(tx)
	rows := time.Since(start)

	mustExec(ctx, db, `INSERT OR IGNORE INTO pool_grams (gram, country, nsn, e164)
		SELECT substr(nsn, i, 4), country, nsn, e164 FROM numbers JOIN gram_positions ON i <= length(nsn) - 3
		ORDER BY 1, 2, 3, 4`)
	mustExec(ctx, db, `DELETE FROM gram_pending`)
	fmt.Printf("generate: %d numbers in %.1f s, 4-grams in %.1f s more\n", n, rows.Seconds(), (time.Since(start) - rows).Seconds())
}

func mustExec(ctx context.Context, db *sql.DB, query string) {
	if _, err := db.ExecContext(ctx, query); err != nil {
		log.Fatalf("%s: %v", query, err)
	}
}

func mustCommit(tx *sql.Tx) {
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
}

type searchKind struct {
	name   string
	filter func(r *rand.Rand) numberpool.SearchFilter
}

var kinds = []searchKind{
	{"area_code", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", AreaCode: fmt.Sprint(areaCodes[r.IntN(len(areaCodes))])}
	}},
	{"starts_with", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", StartsWith: fmt.Sprintf("%d20%d", areaCodes[r.IntN(len(areaCodes))], r.IntN(10))}
	}},
	{"contains", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", Contains: fmt.Sprintf("%04d", r.IntN(10000))}
	}},
	{"contains_wildcard", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", Contains: fmt.Sprintf("%d*%d*%d", r.IntN(10), r.IntN(10), r.IntN(10))}
	}},
	{"contains_wildcard_gram", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", Contains: fmt.Sprintf("%d*%04d", r.IntN(10), r.IntN(10000))}
	}},
	{"contains_area", func(r *rand.Rand) numberpool.SearchFilter {
		return numberpool.SearchFilter{Country: "US", AreaCode: fmt.Sprint(areaCodes[r.IntN(len(areaCodes))]), Contains: fmt.Sprintf("%04d", r.IntN(10000))}
	}},
}

func printPlans(ctx context.Context, store benchStore) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range kinds {
		f := k.filter(r)
		f.Page, f.PerPage = 1, 20
		plan, err := store.ExplainSearch(ctx, f)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("plan %s:\n%s", k.name, plan)
	}
}

func searchLatency(ctx context.Context, store benchStore, queries int) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kinds {
		var times []time.Duration
		capped := 0
		for range queries {
			f := k.filter(r)
			f.Page, f.PerPage = 1, 20
			start := time.Now()
			page, err := store.SearchInventory(ctx, f)
			times = append(times, time.Since(start))
			if err != nil {
				log.Fatal(err)
			}
			if page.TotalCapped {
				capped++
			}
		}
		slices.Sort(times)
		fmt.Printf("search %-18s median %8.3f ms  p99 %8.3f ms  (%d queries, %d with capped total)\n",
			k.name, ms(times[len(times)/2]), ms(times[len(times)*99/100]), len(times), capped)
	}
}

// buyAndRelease buys count numbers from the from-th on, one at a time,
// then releases them.
func buyAndRelease(ctx context.Context, store benchStore, from, count int) []string {
	e164s := boughtNumbers(ctx, store, from, count)

	start := time.Now()
	for _, e164 := range e164s {
		if _, err := store.ReleaseNumber(ctx, "acc_bench", e164); err != nil {
			log.Fatal(err)
		}
	}
	d := time.Since(start)
	fmt.Printf("release: %d in %.2f s (%.0f/s, one at a time)\n", len(e164s), d.Seconds(), float64(len(e164s))/d.Seconds())
	return e164s
}

// boughtNumbers buys count random numbers of the pool, one at a time,
// skipping those a previous run left owned or cooling off.
func boughtNumbers(ctx context.Context, store benchStore, from, count int) []string {
	r := rand.New(rand.NewPCG(uint64(from), buySeed))
	var e164s []string
	skipped := 0
	start := time.Now()
	for len(e164s) < count {
		e164 := poolNumber(r.IntN(poolSize), poolSize)
		_, err := store.PurchaseNumber(ctx, "acc_bench", e164, "US")
		switch {
		case numberpool.IsCode(err, numberpool.CodeConflict):
			skipped++
		case err != nil:
			log.Fatalf("purchase %s: %v", e164, err)
		default:
			e164s = append(e164s, e164)
		}
	}
	d := time.Since(start)
	fmt.Printf("purchase: %d in %.2f s (%.0f/s, one at a time, %d skipped as not available)\n",
		len(e164s), d.Seconds(), float64(len(e164s))/d.Seconds(), skipped)
	return e164s
}

func sweep(ctx context.Context, store benchStore, want, batch int) {
	start := time.Now()
	total := 0
	var batches []time.Duration
	for {
		b := time.Now()
		n, err := store.Sweep(ctx, batch)
		batches = append(batches, time.Since(b))
		if err != nil {
			log.Fatal(err)
		}
		total += n
		if n < batch {
			break
		}
	}
	d := time.Since(start)
	slices.Sort(batches)
	fmt.Printf("sweep: %d of %d numbers in %.2f s (%.0f/s), batch of %d: median %.2f ms, max %.2f ms\n",
		total, want, d.Seconds(), float64(total)/d.Seconds(), batch, ms(batches[len(batches)/2]), ms(batches[len(batches)-1]))
}

// sweepWhileReleasing releases count numbers, one at a time, while the
// sweeper returns count other numbers in batches, and reports the release
// latency.
func sweepWhileReleasing(ctx context.Context, store benchStore, clock *numberpool.ManualClock, count, batch int) {
	due := buyAndRelease(ctx, store, 1, count)
	clock.Advance(31 * 24 * time.Hour)
	held := boughtNumbers(ctx, store, 2, count)

	done := make(chan struct{})
	go func() {
		defer close(done)
		sweep(ctx, store, len(due), batch)
	}()
	var latencies []time.Duration
	for _, e164 := range held {
		start := time.Now()
		if _, err := store.ReleaseNumber(ctx, "acc_bench", e164); err != nil {
			log.Fatal(err)
		}
		latencies = append(latencies, time.Since(start))
	}
	<-done
	slices.Sort(latencies)
	fmt.Printf("release during the sweep: %d releases, median %.2f ms, p99 %.2f ms, max %.2f ms\n",
		len(latencies), ms(latencies[len(latencies)/2]), ms(latencies[len(latencies)*99/100]), ms(latencies[len(latencies)-1]))
}

func report(path string) {
	var size int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			size += fi.Size()
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("database files: %.1f MB\npeak RSS of this process: %.1f MB\n", float64(size)/1e6, float64(ru.Maxrss)/1024)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startCPUProfile starts a CPU profile written to path and returns the
// function that ends it.
func startCPUProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
