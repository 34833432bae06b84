package postgres

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"numberpool"
	"numberpool/store/postgres/pgtest"
)

// TestImportConcurrentDuplicate makes another transaction hold an
// uncommitted row of a number of the import. The import's insert waits for
// it and fails with a unique violation once it commits, and the import must
// still name the number.
func TestImportConcurrentDuplicate(t *testing.T) {
	s, _ := openTestStore(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	const e164 = "+14155550199"

	other, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer other.Rollback(context.WithoutCancel(ctx))
	_, err = other.Exec(ctx, `INSERT INTO numbers (e164, country, type, status, created_at, updated_at)
		VALUES ($1, 'US', 'local', 'available', 1, 1)`, e164)
	if err != nil {
		t.Fatalf("insert the other transaction's number: %v", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := s.ImportNumbers(ctx, slices.Values([]numberpool.Number{
			{E164: "+14155550198", Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
			{E164: e164, Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
		}))
		done <- err
	}()
	waitForLockWait(t, ctx, s)
	if err := other.Commit(ctx); err != nil {
		t.Fatalf("commit the other transaction: %v", err)
	}

	err = <-done
	if got := numberpool.ErrorCode(err); got != numberpool.CodeConflict {
		t.Fatalf("ImportNumbers error code = %s, want CONFLICT (error: %v)", got, err)
	}
	if !strings.Contains(err.Error(), e164) {
		t.Errorf("ImportNumbers error %q does not name %s", err, e164)
	}
	var count int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM numbers`).Scan(&count); err != nil {
		t.Fatalf("count numbers: %v", err)
	}
	if count != 1 {
		t.Errorf("numbers stored = %d, want only the other transaction's 1", count)
	}
}

// waitForLockWait returns once a session of the database waits for a lock,
// polling every 10 ms until ctx ends.
func waitForLockWait(t *testing.T, ctx context.Context, s *Store) {
	t.Helper()
	const query = `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`
	for {
		var waiting int
		if err := s.pool.QueryRow(ctx, query).Scan(&waiting); err != nil {
			t.Fatalf("read pg_stat_activity: %v", err)
		}
		if waiting > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no session waited for a lock: %v", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// BenchmarkImport loads size fresh numbers, one in ten owned, into a store
// that already holds as many.
func BenchmarkImport(b *testing.B) {
	for _, size := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			s, err := Open(b.Context(), pgtest.NewDatabase(b), quietOptions())
			if err != nil {
				b.Fatalf("Open: %v", err)
			}
			b.Cleanup(func() { s.Close() })
			if _, err := s.CreateAccount(b.Context(), "acc_a"); err != nil {
				b.Fatalf("CreateAccount: %v", err)
			}

			batch := 0
			for b.Loop() {
				count, err := s.ImportNumbers(b.Context(), importSeq(batch*size, size))
				if err != nil {
					b.Fatalf("ImportNumbers: %v", err)
				}
				if count != size {
					b.Fatalf("ImportNumbers count = %d, want %d", count, size)
				}
				batch++
			}
		})
	}
}

// importSeq yields size numbers from the first-th of a US range, one in ten
// owned by acc_a.
func importSeq(first, size int) iter.Seq[numberpool.Number] {
	purchasedAt := time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)
	return func(yield func(numberpool.Number) bool) {
		for i := first; i < first+size; i++ {
			n := numberpool.Number{
				E164: fmt.Sprintf("+1%010d", 2_000_000_000+i), Country: "US", Type: numberpool.TypeLocal,
				Region: "CA", Capabilities: []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS},
				MonthlyFee: 115, Status: numberpool.StatusAvailable,
			}
			if i%10 == 0 {
				n.Status, n.AccountID, n.PurchasedAt = numberpool.StatusActive, "acc_a", purchasedAt
			}
			if !yield(n) {
				return
			}
		}
	}
}
