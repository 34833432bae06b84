package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

func TestWALIndexVersionChangesOnEachCommit(t *testing.T) {
	s, _ := newTestStore(t)
	if s.walIndex == nil {
		t.Fatal("the store did not map the WAL index")
	}
	before, ok := s.walVersion()
	if !ok {
		t.Fatal("WAL-index header not whole with no writer running")
	}

	if again, _ := s.walVersion(); again != before {
		t.Errorf("header changed with no commit: %v, then %v", before, again)
	}

	other := openFile(t, s.path)
	if _, err := other.ExecContext(t.Context(), `INSERT INTO accounts (id, created_at) VALUES ('acc_other', 0)`); err != nil {
		t.Fatalf("insert through another connection: %v", err)
	}
	after, _ := s.walVersion()
	if after == before {
		t.Error("header unchanged after a commit through another connection")
	}

	if _, err := s.CreateAccount(t.Context(), "acc_own"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if last, _ := s.walVersion(); last == after {
		t.Error("header unchanged after a commit through the store's writer")
	}
}

func TestPreviewCacheServesRepeatedPreview(t *testing.T) {
	s, _ := newTestStore(t)
	loadOwned(t, s, "+14155550001")

	first := mustPreview(t, s)
	second := mustPreview(t, s)

	if got := s.previews.hits.Load(); got != 1 {
		t.Errorf("cache hits = %d, want 1", got)
	}
	if d := cmp.Diff(first, second); d != "" {
		t.Errorf("preview (-first +second, from the cache):\n%s", d)
	}
}

// TestPreviewSeesOtherProcessCommit changes a number's facts through a
// connection of its own, as the operator CLI would from another process,
// and wants the next preview to show the change.
func TestPreviewSeesOtherProcessCommit(t *testing.T) {
	s, _ := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	if got := mustPreview(t, s); !got.CanRelease {
		t.Fatalf("PreviewRelease = %+v, want CanRelease", got)
	}

	other := openFile(t, s.path)
	_, err := other.ExecContext(ctx, `INSERT INTO release_protections (account_id, e164, enabled_at) VALUES ('acc_a', '+14155550001', 0)`)
	if err != nil {
		t.Fatalf("protect through another connection: %v", err)
	}

	got := mustPreview(t, s)
	if got.CanRelease {
		t.Errorf("PreviewRelease = %+v, want CanRelease false under release protection", got)
	}
	if hits := s.previews.hits.Load(); hits != 0 {
		t.Errorf("cache hits = %d, want 0 across a commit", hits)
	}
}

func TestPreviewCacheFollowsTheClock(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	mustPreview(t, s)

	// loadOwned buys six weeks before t0, so the minimum term ends within a
	// year of t0 and a later preview owes no fee.
	clock.Advance(366 * 24 * time.Hour)
	cached := mustPreview(t, s)
	if hits := s.previews.hits.Load(); hits != 1 {
		t.Fatalf("cache hits = %d, want 1", hits)
	}

	fresh := openTestStore(t, s.path, clock, numberpool.Policies{})
	want, err := fresh.PreviewRelease(ctx, "acc_a", "+14155550001")
	if err != nil {
		t.Fatalf("PreviewRelease on a fresh store: %v", err)
	}
	if d := cmp.Diff(want, cached); d != "" {
		t.Errorf("preview (-fresh store +cached facts):\n%s", d)
	}
	if cached.EarlyTerminationFee != 0 {
		t.Errorf("EarlyTerminationFee = %s after the minimum term, want 0.00", cached.EarlyTerminationFee)
	}
}

func TestPreviewCacheEndsWithCoolingOff(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	release, err := s.ReleaseNumber(ctx, "acc_a", "+14155550001")
	if err != nil {
		t.Fatalf("ReleaseNumber: %v", err)
	}
	if got := mustPreview(t, s); got.CanRelease {
		t.Fatalf("PreviewRelease while cooling off = %+v, want CanRelease false", got)
	}

	clock.Set(release.AvailableAfter)
	_, err = s.PreviewRelease(ctx, "acc_a", "+14155550001")
	if !numberpool.IsCode(err, numberpool.CodeNotFound) {
		t.Errorf("PreviewRelease after the cooling-off period: error %v, want NOT_FOUND", err)
	}
}

func TestPreviewCacheSkipsActiveCalls(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	if _, err := s.RecordCallEvent(ctx, "acc_a", "+14155550001", "call_1", numberpool.CallStarted); err != nil {
		t.Fatalf("RecordCallEvent: %v", err)
	}
	if got := mustPreview(t, s); got.CanRelease {
		t.Fatalf("PreviewRelease during a call = %+v, want CanRelease false", got)
	}

	// The call counts no longer once it is older than the maximum call
	// duration, with no commit in between.
	clock.Advance(numberpool.DefaultMaxCallDuration + time.Second)
	got := mustPreview(t, s)
	if !got.CanRelease {
		t.Errorf("PreviewRelease = %+v, want CanRelease once the call has expired", got)
	}
	if hits := s.previews.hits.Load(); hits != 0 {
		t.Errorf("cache hits = %d, want 0 for a number with an active call", hits)
	}
}

func TestPreviewCacheIgnoresEarlierTime(t *testing.T) {
	s, clock := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	mustPreview(t, s)

	clock.Set(t0.Add(-time.Hour))
	mustPreview(t, s)
	if hits := s.previews.hits.Load(); hits != 0 {
		t.Errorf("cache hits = %d, want 0 when the clock went back", hits)
	}
}

func TestPreviewCacheHoldsNoHeldNumber(t *testing.T) {
	s, _ := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	hold := numberpool.Hold{AccountID: "acc_a", E164: "+14155550001", Kind: numberpool.HoldLegal, Reason: "case 12"}
	if _, err := s.PlaceHold(ctx, hold); err != nil {
		t.Fatalf("PlaceHold: %v", err)
	}

	for range 2 {
		got := mustPreview(t, s)
		if got.CanRelease || !strings.Contains(strings.Join(got.Warnings, "\n"), "case 12") {
			t.Errorf("PreviewRelease = %+v, want CanRelease false and the hold's reason", got)
		}
	}
	if hits := s.previews.hits.Load(); hits != 0 {
		t.Errorf("cache hits = %d, want 0 for a number under a hold", hits)
	}
}

func TestPreviewCacheOffWithoutWALIndex(t *testing.T) {
	s, _ := newTestStore(t)
	loadOwned(t, s, "+14155550001")
	if _, err := openWALIndex(filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("openWALIndex of a database without a WAL index: no error")
	}

	s.walIndex = nil
	for range 2 {
		if _, err := s.PreviewRelease(t.Context(), "acc_a", "+14155550001"); err != nil {
			t.Fatalf("PreviewRelease without the WAL index: %v", err)
		}
	}
	if hits := s.previews.hits.Load(); hits != 0 {
		t.Errorf("cache hits = %d, want 0 without the WAL index", hits)
	}
}

// TestPreviewCacheThroughSymlink opens the database through a symbolic link
// beside a stale WAL index of that name, as after a crash and a move of the
// file, and wants previews to follow releases.
func TestPreviewCacheThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "disk2", "numberpool.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "numberpool.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatalf("symlink: %v", err)
	}
	if err := os.WriteFile(link+"-shm", make([]byte, 32768), 0o644); err != nil {
		t.Fatalf("write a stale WAL index: %v", err)
	}

	clock := numberpool.NewManualClock(t0)
	s := openTestStore(t, link, clock, numberpool.Policies{})
	loadOwned(t, s, "+14155550001")
	ctx := t.Context()
	if got := mustPreview(t, s); !got.CanRelease {
		t.Fatalf("PreviewRelease = %+v, want CanRelease", got)
	}
	if _, err := s.ReleaseNumber(ctx, "acc_a", "+14155550001"); err != nil {
		t.Fatalf("ReleaseNumber: %v", err)
	}

	got := mustPreview(t, s)
	if got.CanRelease {
		t.Errorf("PreviewRelease after the release = %+v, want CanRelease false", got)
	}
	if s.walIndex == nil {
		t.Error("preview cache off when the database is opened through a symbolic link")
	}
}

// mustPreview returns the preview of +14155550001, the number that loadOwned
// gives these tests, for acc_a.
func mustPreview(t *testing.T, s *Store) numberpool.Preview {
	t.Helper()
	preview, err := s.PreviewRelease(t.Context(), "acc_a", "+14155550001")
	if err != nil {
		t.Fatalf("PreviewRelease: %v", err)
	}
	return preview
}
