package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"numberpool"
	"numberpool/store/storetest"
)

var t0 = time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)

var discard = slog.New(slog.DiscardHandler)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store {
		return openTestStore(t, filepath.Join(t.TempDir(), "numberpool.db"), clock, policies)
	}, storetest.WithReopen(func(t *testing.T, s numberpool.Store, clock numberpool.Clock, policies numberpool.Policies) numberpool.Store {
		return openTestStore(t, s.(*Store).path, clock, policies)
	}))
}

// openTestStore opens a migrated store at path and closes it when t ends.
func openTestStore(t testing.TB, path string, clock numberpool.Clock, policies numberpool.Policies) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, Options{Clock: clock, Policies: policies, Logger: discard})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newTestStore opens a store on a fresh file with the default policies.
func newTestStore(t testing.TB) (*Store, *numberpool.ManualClock) {
	t.Helper()
	clock := numberpool.NewManualClock(t0)
	s := openTestStore(t, filepath.Join(t.TempDir(), "numberpool.db"), clock, numberpool.Policies{})
	return s, clock
}

// openFile opens the store's file with a plain connection, as another
// process would.
func openFile(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", dataSourceName(path, url.Values{"_busy_timeout": {"10000"}}))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t testing.TB, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRowContext(t.Context(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// loadOwned creates acc_a and imports the given numbers as active numbers of
// it, bought six weeks before t0 so that a release owes the fee.
func loadOwned(t testing.TB, s *Store, e164s ...string) {
	t.Helper()
	if _, err := s.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	var ns []numberpool.Number
	for _, e164 := range e164s {
		ns = append(ns, numberpool.Number{
			E164: e164, Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusActive,
			AccountID: "acc_a", TrunkID: "trunk_abc123", PurchasedAt: t0.Add(-42 * 24 * time.Hour),
		})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	s, _ := newTestStore(t)

	tests := []struct {
		name   string
		db     *sql.DB
		pragma string
		want   string
	}{
		{"writer journal_mode", s.writer, "journal_mode", "wal"},
		{"writer synchronous", s.writer, "synchronous", "2"}, // FULL
		{"writer foreign_keys", s.writer, "foreign_keys", "1"},
		{"writer busy_timeout", s.writer, "busy_timeout", "10000"},
		{"reader query_only", s.reader, "query_only", "1"},
		{"reader busy_timeout", s.reader, "busy_timeout", "10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}

	t.Run("writer connections", func(t *testing.T) {
		if got := s.writer.Stats().MaxOpenConnections; got != 1 {
			t.Errorf("writer MaxOpenConnections = %d, want 1", got)
		}
	})
}

func TestOpenNoMigrate(t *testing.T) {
	latest := latestVersion(t)
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "numberpool.db")
		_, err := OpenNoMigrate(t.Context(), path, Options{Logger: discard})
		wantErrorNames(t, err, path, "version 0", version(latest), "numberpool migrate")
	})

	t.Run("older schema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "numberpool.db")
		openTestStore(t, path, nil, numberpool.Policies{})

		_, err := openChecked(t.Context(), path, Options{Logger: discard}, migrationsWithNext(t))
		wantErrorNames(t, err, path, version(latest), version(latest+1), "numberpool migrate")
	})

	t.Run("newer schema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "numberpool.db")
		later, err := open(t.Context(), path, Options{Logger: discard}, migrationsWithNext(t))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer later.Close()
		if err := later.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate to version %d: %v", latest+1, err)
		}

		_, err = OpenNoMigrate(t.Context(), path, Options{Logger: discard})
		wantErrorNames(t, err, path, version(latest+1), "newer than "+version(latest))
	})

	t.Run("current schema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "numberpool.db")
		s := openTestStore(t, path, nil, numberpool.Policies{})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s, err := OpenNoMigrate(t.Context(), path, Options{Logger: discard})
		if err != nil {
			t.Fatalf("OpenNoMigrate: %v", err)
		}
		defer s.Close()
		if _, err := s.CreateAccount(t.Context(), "acc_a"); err != nil {
			t.Errorf("CreateAccount on the checked store: %v", err)
		}
	})
}

// migrationsWithNext returns the embedded migrations plus the next version,
// as a later numberpool would carry.
func migrationsWithNext(t *testing.T) fs.FS {
	t.Helper()
	migrations := fstest.MapFS{}
	names, err := fs.Glob(embeddedMigrations(), "*.sql")
	if err != nil {
		t.Fatalf("list the embedded migrations: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(embeddedMigrations(), name)
		if err != nil {
			t.Fatalf("read the embedded migration %s: %v", name, err)
		}
		migrations[name] = &fstest.MapFile{Data: data}
	}
	next := fmt.Sprintf("%05d_next.sql", latestVersion(t)+1)
	migrations[next] = &fstest.MapFile{Data: []byte("-- +goose Up\nCREATE TABLE next_feature (id INTEGER PRIMARY KEY) STRICT;\n" +
		"-- +goose Down\nDROP TABLE next_feature;\n")}
	return migrations
}

// latestVersion returns the version of the newest embedded migration, which
// is also their count, because versions are numbered from 1 without gaps.
func latestVersion(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(embeddedMigrations(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("list the embedded migrations: %v (%d found)", err, len(names))
	}
	return len(names)
}

func version(v int) string {
	return fmt.Sprintf("version %d", v)
}

func wantErrorNames(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("error = nil, want an error about the schema version")
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	db := openFile(t, s.path)
	latest := latestVersion(t)
	if got := queryInt(t, db, `SELECT max(version_id) FROM goose_db_version`); got != int64(latest) {
		t.Errorf("schema version = %d, want %d", got, latest)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM goose_db_version`); got != int64(latest)+1 {
		t.Errorf("goose_db_version has %d rows, want %d: version 0 and each migration once", got, latest+1)
	}
}

// TestTransitionRollsBack makes the last write of a transition fail with a
// trigger and checks that nothing of the transition remains.
func TestTransitionRollsBack(t *testing.T) {
	t.Run("release", func(t *testing.T) {
		s, _ := newTestStore(t)
		loadOwned(t, s, "+14155550101")
		db := openFile(t, s.path)
		mustExec(t, db, `CREATE TRIGGER fail_charge BEFORE INSERT ON charges
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)

		_, err := s.ReleaseNumber(t.Context(), "acc_a", "+14155550101")
		if code := numberpool.ErrorCode(err); err == nil || code != numberpool.CodeInternal {
			t.Fatalf("ReleaseNumber error = %v, want an INTERNAL_ERROR", err)
		}

		n, err := s.GetNumber(t.Context(), "acc_a", "+14155550101")
		if err != nil {
			t.Fatalf("GetNumber: %v", err)
		}
		if n.Status != numberpool.StatusActive || n.TrunkID != "trunk_abc123" {
			t.Errorf("number = %+v, want active on trunk_abc123", n)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM releases`); got != 0 {
			t.Errorf("releases rows = %d, want 0", got)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		s, _ := newTestStore(t)
		loadOwned(t, s, "+14155550101")
		if _, err := s.ReleaseNumber(t.Context(), "acc_a", "+14155550101"); err != nil {
			t.Fatalf("ReleaseNumber: %v", err)
		}
		db := openFile(t, s.path)
		mustExec(t, db, `CREATE TRIGGER fail_void BEFORE UPDATE ON charges
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)

		if _, err := s.CancelRelease(t.Context(), "acc_a", "+14155550101"); err == nil {
			t.Fatal("CancelRelease error = nil, want the injected failure")
		}

		n, err := s.GetNumber(t.Context(), "acc_a", "+14155550101")
		if err != nil {
			t.Fatalf("GetNumber: %v", err)
		}
		if n.Status != numberpool.StatusReleased || n.TrunkID != "" {
			t.Errorf("number = %+v, want released without a trunk", n)
		}
		if got := queryInt(t, db, `SELECT count(*) FROM releases WHERE cancelled_at IS NOT NULL`); got != 0 {
			t.Errorf("cancelled releases = %d, want 0", got)
		}
	})
}

func mustExec(t testing.TB, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestTwoStoresOneFile runs two stores on one file, as a server and the
// operator CLI do: their writers wait for each other instead of failing.
func TestTwoStoresOneFile(t *testing.T) {
	first, clock := newTestStore(t)
	second := openTestStore(t, first.path, clock, numberpool.Policies{})
	var e164s []string
	for i := range 40 {
		e164s = append(e164s, fmt.Sprintf("+14155550%03d", i))
	}
	loadOwned(t, first, e164s...)

	var wg sync.WaitGroup
	errs := make([]error, len(e164s))
	for i, e164 := range e164s {
		s := []*Store{first, second}[i%2]
		wg.Go(func() {
			_, errs[i] = s.ReleaseNumber(context.Background(), "acc_a", e164)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("ReleaseNumber(%s): %v", e164s[i], err)
		}
	}

	db := openFile(t, first.path)
	if got := queryInt(t, db, `SELECT count(*) FROM releases`); got != int64(len(e164s)) {
		t.Errorf("releases rows = %d, want %d", got, len(e164s))
	}
	if got := queryInt(t, db, `SELECT count(*) FROM charges`); got != int64(len(e164s)) {
		t.Errorf("charges rows = %d, want %d", got, len(e164s))
	}
}

// TestRaceAcrossStores races releases of one number through two stores on
// one file and checks that one release row and one charge were stored.
func TestRaceAcrossStores(t *testing.T) {
	first, clock := newTestStore(t)
	second := openTestStore(t, first.path, clock, numberpool.Policies{})
	loadOwned(t, first, "+14155550101")

	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		s := []*Store{first, second}[i%2]
		wg.Go(func() {
			_, errs[i] = s.ReleaseNumber(context.Background(), "acc_a", "+14155550101")
		})
	}
	wg.Wait()

	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !numberpool.IsCode(err, numberpool.CodeConflict):
			t.Errorf("ReleaseNumber error = %v, want nil or CONFLICT", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d releases succeeded, want 1", wins)
	}
	db := openFile(t, first.path)
	if got := queryInt(t, db, `SELECT count(*) FROM releases`); got != 1 {
		t.Errorf("releases rows = %d, want 1", got)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM charges`); got != 1 {
		t.Errorf("charges rows = %d, want 1", got)
	}
}

// TestListUsesIndex checks that the list reads the index numbers_account in
// its order instead of sorting the account's numbers.
func TestListUsesIndex(t *testing.T) {
	s, _ := newTestStore(t)
	rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+listQuery,
		sql.Named("account", "acc_a"), sql.Named("now", t0.Unix()), sql.Named("country", ""),
		sql.Named("status", ""), sql.Named("limit", 20), sql.Named("offset", 0))
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()

	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan plan: %v", err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	if !strings.Contains(joined, "numbers_account") || strings.Contains(joined, "TEMP B-TREE") {
		t.Errorf("query plan:\n%s\nwant a search of numbers_account without a sort", joined)
	}
}

// TestOddPath opens a file whose name holds the characters that start the
// parameters and the fragment of a URI.
func TestOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool?x=1#2 %41.db")
	openTestStore(t, path, nil, numberpool.Policies{})
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestDefaultPolicies(t *testing.T) {
	s, _ := newTestStore(t)
	if got := s.policies.For("US", numberpool.TypeLocal); got != numberpool.DefaultPolicy {
		t.Errorf("policy of a store opened with zero Policies = %+v, want %+v", got, numberpool.DefaultPolicy)
	}
}

// BenchmarkImport imports numbers into a fresh file per iteration. Run it
// with -bench Import -benchtime 1x to time one import of each size.
func BenchmarkImport(b *testing.B) {
	for _, size := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s, _ := newTestStore(b)
				if _, err := s.CreateAccount(b.Context(), "acc_a"); err != nil {
					b.Fatalf("CreateAccount: %v", err)
				}
				b.StartTimer()

				count, err := s.ImportNumbers(b.Context(), importSeq(size))
				if err != nil {
					b.Fatalf("ImportNumbers: %v", err)
				}
				if count != size {
					b.Fatalf("ImportNumbers count = %d, want %d", count, size)
				}
			}
		})
	}
}

// importSeq yields size numbers, one in ten owned by acc_a.
func importSeq(size int) iter.Seq[numberpool.Number] {
	return func(yield func(numberpool.Number) bool) {
		for i := range size {
			n := numberpool.Number{
				E164: fmt.Sprintf("+1%010d", 2_000_000_000+i), Country: "US", Type: numberpool.TypeLocal,
				Region: "CA", Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
				MonthlyFee: 115, Status: numberpool.StatusAvailable,
			}
			if i%10 == 0 {
				n.Status, n.AccountID, n.PurchasedAt = numberpool.StatusActive, "acc_a", t0
			}
			if !yield(n) {
				return
			}
		}
	}
}
