package sqlite

import "testing"

func writerCacheSize(t *testing.T, s *Store) int64 {
	t.Helper()
	var size int64
	if err := s.writer.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&size); err != nil {
		t.Fatalf("PRAGMA cache_size: %v", err)
	}
	return size
}

func TestWriterCacheSize(t *testing.T) {
	s, _ := newTestStore(t)
	if got, want := writerCacheSize(t, s), int64(-writerCacheKiB); got != want {
		t.Errorf("writer cache_size = %d, want %d", got, want)
	}
}
