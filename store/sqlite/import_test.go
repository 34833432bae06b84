package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"numberpool"
)

// TestImportCacheSize checks that an import runs with the larger page cache
// and that the writer gets its own size back, whether the import commits
// or fails.
func TestImportCacheSize(t *testing.T) {
	s, _ := newTestStore(t)
	before := writerCacheSize(t, s)

	seq := func(fail bool) func(yield func(numberpool.Number) bool) {
		return func(yield func(numberpool.Number) bool) {
			for i := range 3 {
				n := numberpool.Number{E164: fmt.Sprintf("+1415555%04d", i), Country: "US",
					Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable}
				if fail && i == 2 {
					n.E164 = "+14155550000" // a duplicate of the first
				}
				if !yield(n) {
					return
				}
			}
		}
	}

	tests := []struct {
		name string
		fail bool
	}{
		{"committed", false},
		{"failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ImportNumbers(t.Context(), seq(tt.fail))
			if tt.fail != (err != nil) {
				t.Fatalf("ImportNumbers error = %v, want an error: %t", err, tt.fail)
			}
			if got := writerCacheSize(t, s); got != before {
				t.Errorf("writer cache_size after the import = %d, want %d as before", got, before)
			}
		})
	}

	// Inside an import's transaction the cache has the import's size.
	var during int64
	err := s.write(t.Context(), "test", func(tx *sql.Tx) error {
		if _, err := growCache(t.Context(), tx); err != nil {
			return err
		}
		return tx.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&during)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(-importCacheKiB); during != want {
		t.Errorf("cache_size during an import = %d, want %d", during, want)
	}
	s.restoreCache(context.Background(), before)
}

func writerCacheSize(t *testing.T, s *Store) int64 {
	t.Helper()
	var size int64
	if err := s.writer.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&size); err != nil {
		t.Fatalf("PRAGMA cache_size: %v", err)
	}
	return size
}
