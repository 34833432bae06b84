package sqlite

import (
	"context"
	"database/sql"
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
	s.checkpoint.nudge() // must not block or panic once closed
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
