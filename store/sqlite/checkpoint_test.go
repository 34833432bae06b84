package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestWriterCheckpointSettings(t *testing.T) {
	s, _ := newTestStore(t)

	if got := queryInt(t, s.writer, `PRAGMA wal_autocheckpoint`); got != writerAutocheckpointPages {
		t.Errorf("writer wal_autocheckpoint = %d, want %d", got, writerAutocheckpointPages)
	}
	if got := queryInt(t, s.writer, `PRAGMA journal_size_limit`); got != walSizeLimitBytes {
		t.Errorf("writer journal_size_limit = %d, want %d", got, walSizeLimitBytes)
	}
}

func TestCheckpointCopiesCommittedFrames(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	loadOwned(t, s, "+14155550001", "+14155550002")

	state, err := s.checkpoint.checkpoint(ctx)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if state.frames == 0 {
		t.Errorf("checkpoint found no frames in the WAL after commits")
	}
	if state.checkpointed != state.frames {
		t.Errorf("checkpoint copied %d of %d frames, want all with no reader open", state.checkpointed, state.frames)
	}
}

func TestCommitWakesCheckpointer(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	drain(s.checkpoint.ran)

	err := s.write(ctx, "test write", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_checkpoint', 0)`)
		return err
	})
	if err != nil {
		t.Fatalf("write: %v", err)
	}

	select {
	case <-s.checkpoint.ran:
	case <-time.After(10 * time.Second):
		t.Fatal("no background checkpoint within 10s of a commit")
	}
}

func TestCloseStopsCheckpointer(t *testing.T) {
	s, _ := newTestStore(t)

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-s.checkpoint.done:
	default:
		t.Error("checkpointer still running after Close")
	}
	s.checkpoint.nudge(checkpointBacklogFrames) // must not block or panic once closed
}

func drain(ch chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func TestLongWALStartsOver(t *testing.T) {
	s, _ := newTestStore(t)
	if s.walIndex == nil {
		t.Skip("the WAL index cannot be read on this platform")
	}
	old := walRestartFrames
	walRestartFrames = 20
	t.Cleanup(func() { walRestartFrames = old })
	ctx := context.Background()

	var frames uint32
	for i := 0; frames < walRestartFrames; i++ {
		if i == 1000 {
			t.Fatalf("WAL has %d frames after %d commits, want %d", frames, i, walRestartFrames)
		}
		insertAccount(t, s, fmt.Sprintf("acc_wal_%d", i))
		frames = walFrames(t, s)
	}

	s.restartLongWAL(ctx)
	frames, backfilled, _ := s.walIndex.frames()
	if backfilled != frames {
		t.Fatalf("after restartLongWAL %d of %d frames are in the database file, want all", backfilled, frames)
	}

	insertAccount(t, s, "acc_wal_after")
	if after := walFrames(t, s); after >= frames {
		t.Errorf("WAL has %d frames after the next commit, %d before: it did not start over", after, frames)
	}
}

func TestWALFramesFollowCommits(t *testing.T) {
	s, _ := newTestStore(t)
	if s.walIndex == nil {
		t.Skip("the WAL index cannot be read on this platform")
	}
	before := walFrames(t, s)

	insertAccount(t, s, "acc_wal_frames")
	if after := walFrames(t, s); after <= before {
		t.Errorf("WAL frames %d after a commit, %d before, want more", after, before)
	}
	state, err := s.checkpoint.checkpoint(context.Background())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	frames, backfilled, ok := s.walIndex.frames()
	if !ok || frames != uint32(state.frames) || backfilled != uint32(state.checkpointed) {
		t.Errorf("WAL index frames %d, backfilled %d (ok %v), want %d and %d as the checkpoint reported",
			frames, backfilled, ok, state.frames, state.checkpointed)
	}
}

func insertAccount(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := context.Background()
	err := s.write(ctx, "insert account", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES (?, 0)`, id)
		return err
	})
	if err != nil {
		t.Fatalf("insert account %s: %v", id, err)
	}
}

func walFrames(t *testing.T, s *Store) uint32 {
	t.Helper()
	frames, _, ok := s.walIndex.frames()
	if !ok {
		t.Fatal("WAL-index header is being rewritten with no writer running")
	}
	return frames
}

func TestWriteUnsyncedRestoresFullSync(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()

	var during int64
	err := s.writeUnsynced(ctx, "unsynced write", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&during); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_unsynced', 0)`)
		return err
	})
	if err != nil {
		t.Fatalf("writeUnsynced: %v", err)
	}

	const normal, full = 1, 2
	if during != normal {
		t.Errorf("synchronous inside writeUnsynced = %d, want %d (NORMAL)", during, normal)
	}
	if got := queryInt(t, s.writer, `PRAGMA synchronous`); got != full {
		t.Errorf("writer synchronous after writeUnsynced = %d, want %d (FULL)", got, full)
	}
	if got := queryInt(t, s.reader, `SELECT count(*) FROM accounts WHERE id = 'acc_unsynced'`); got != 1 {
		t.Errorf("accounts committed by writeUnsynced = %d, want 1", got)
	}
}

func TestWriteUnsyncedFailureRestoresFullSync(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()

	err := s.writeUnsynced(ctx, "failing unsynced write", func(tx *sql.Tx) error {
		return errors.New("no write")
	})
	if err == nil {
		t.Fatal("writeUnsynced returned no error for a failing function")
	}
	if got := queryInt(t, s.writer, `PRAGMA synchronous`); got != 2 {
		t.Errorf("writer synchronous after a failed writeUnsynced = %d, want 2 (FULL)", got)
	}
}

func TestCheckpointStopsAtOpenReader(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	insertAccount(t, s, "acc_before_reader")

	// A reader in a transaction, as a sqlite3 shell left open would be.
	reader := openFile(t, s.path)
	tx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin reader: %v", err)
	}
	defer tx.Rollback()
	var accounts int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&accounts); err != nil {
		t.Fatalf("read in the reader: %v", err)
	}

	for i := range 5 {
		insertAccount(t, s, fmt.Sprintf("acc_after_reader_%d", i))
	}
	state, err := s.checkpoint.checkpoint(ctx)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if state.checkpointed >= state.frames {
		t.Errorf("checkpoint copied %d of %d frames with a reader open, want fewer", state.checkpointed, state.frames)
	}
}

func TestWarnIfStuck(t *testing.T) {
	var logs strings.Builder
	c := &checkpointer{logger: slog.New(slog.NewTextHandler(&logs, nil))}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	big := walStuckFrames + 100

	c.warnIfStuck(walState{frames: big, checkpointed: big}, now)
	c.warnIfStuck(walState{frames: walStuckFrames - 1, checkpointed: 0}, now)
	if logs.Len() != 0 {
		t.Fatalf("warned for a WAL that is copied or short: %s", logs.String())
	}

	c.warnIfStuck(walState{frames: big, checkpointed: 10}, now)
	c.warnIfStuck(walState{frames: big + 500, checkpointed: 10}, now.Add(stuckWarningInterval/2))
	if got := strings.Count(logs.String(), "sqlite WAL keeps growing"); got != 1 {
		t.Errorf("warnings within one interval = %d, want 1:\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("wal_frames=%d", big)) {
		t.Errorf("warning does not give the WAL size %d:\n%s", big, logs.String())
	}

	c.warnIfStuck(walState{frames: big + 900, checkpointed: 10}, now.Add(stuckWarningInterval))
	if got := strings.Count(logs.String(), "sqlite WAL keeps growing"); got != 2 {
		t.Errorf("warnings after one interval = %d, want 2", got)
	}
}

func TestWriteUnsyncedCancelledKeepsFullSync(t *testing.T) {
	s, _ := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())

	err := s.writeUnsynced(ctx, "cancelled unsynced write", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_cancelled', 0)`); err != nil {
			return err
		}
		cancel()
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, created_at) VALUES ('acc_cancelled_2', 0)`)
		return err
	})
	if err == nil {
		t.Fatal("writeUnsynced returned no error after its context was cancelled")
	}

	if got := queryInt(t, s.writer, `PRAGMA synchronous`); got != 2 {
		t.Errorf("writer synchronous after a cancelled writeUnsynced = %d, want 2 (FULL)", got)
	}
	if got := queryInt(t, s.reader, `SELECT count(*) FROM accounts WHERE id LIKE 'acc_cancelled%'`); got != 0 {
		t.Errorf("accounts left by the cancelled transaction = %d, want 0", got)
	}
	insertAccount(t, s, "acc_after_cancel")
}
