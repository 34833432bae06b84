package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// writerDriver is the driver of the writer connection. Its connect hook
// raises the WAL size at which a commit checkpoints the WAL itself, because
// the checkpointer does that work beside the writer. A commit that
// checkpoints copies every frame of the WAL into the database file and
// syncs it before it returns. With SQLite's default of 1,000 pages, that
// copy took most of the 40 to 50 ms that the sweeper spent on a batch of
// 500 numbers of a 10,000,000-number pool, and every writer waited for it.
const writerDriver = "sqlite3_numberpool_writer"

// writerAutocheckpointPages is the WAL size, in pages, past which a commit
// checkpoints the WAL itself: about 40 MB with 4 KiB pages, so the WAL
// reaches that plus the last transaction. SQLite starts
// the WAL over only when a write begins with every frame checkpointed, which
// the checkpointer alone never achieves under steady writes. The WAL then
// kept growing, and each commit's sync grew slower: cancels ran a quarter
// slower in bench/release with a limit of 100,000 pages. At this size the
// writer's checkpoint copies only the frames of the last background
// interval and lets the next write start the WAL over.
const writerAutocheckpointPages = 10_000

// walSizeLimitBytes is the size to which SQLite truncates the WAL file when
// it starts the WAL over, so that a burst of writes does not leave a large
// file behind.
const walSizeLimitBytes = 64 << 20

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			for _, pragma := range []string{
				fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerAutocheckpointPages),
				fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimitBytes),
			} {
				if _, err := conn.Exec(pragma, nil); err != nil {
					return fmt.Errorf("%s: %w", pragma, err)
				}
			}
			return nil
		},
	})
}

// checkpointInterval is the least time between two background checkpoints
// while the WAL is short. Each checkpoint syncs the database file once.
// Waiting lets one checkpoint copy the frames of many commits, rather than
// add a sync to each.
const checkpointInterval = 100 * time.Millisecond

// checkpointBacklogFrames is how many frames a commit may leave uncopied
// before it wakes the checkpointer at once rather than after the interval:
// about 4 MB with 4 KiB pages, a little more than one sweeper batch writes.
// It keeps the copy that a write waiting at walRestartFrames waits for to
// a few commits.
const checkpointBacklogFrames = 1_000

// walRestartFrames is the WAL size, in frames, from which a write first
// waits for a checkpoint of every frame. SQLite starts the WAL over at the
// first write that begins with every frame copied and no reader in the WAL
// (walRestartLog in sqlite3-binding.c). Back-to-back writes such as sweeper
// batches never leave time for that. Without the wait the WAL grew to
// writerAutocheckpointPages, and the commit that crossed it copied the
// frames itself. On a 10,000,000-number pool such a sweeper batch took 85 to
// 150 ms, against about 20 ms for the others (bench/poolbench). The value
// stays well below that bound, so a transaction that starts under it ends
// under it unless it writes more than 2,000 pages. Tests lower it.
var walRestartFrames uint32 = 8_000

// walStuckFrames is the WAL size, in frames, past which a checkpoint that
// cannot copy every frame logs a warning: twice the size at which the
// writer checkpoints itself. Only a reader holds frames back that long, such
// as a sqlite3 shell left in a transaction, and the WAL grows until that
// transaction ends. Tests lower it.
var walStuckFrames = 2 * writerAutocheckpointPages

// stuckWarningInterval is the least time between two such warnings.
const stuckWarningInterval = time.Minute

// checkpointer copies committed WAL frames into the database file on a
// connection of its own, so that commits do not wait for the copy. It runs
// PASSIVE checkpoints, which SQLite documents as copying what it can without
// waiting for readers or writers (sqlite3.h, SQLITE_CHECKPOINT_PASSIVE).
// Frames that a reader may still need stay in the WAL for a later one.
type checkpointer struct {
	db     *sql.DB // one connection, used for checkpoints only
	logger *slog.Logger
	wake   chan struct{} // capacity 1; nudge drops a wake-up already pending
	stop   chan struct{}
	done   chan struct{}
	// ran receives a value after each background checkpoint, unless one
	// is waiting already; tests read it.
	ran chan struct{}
	// urgent cuts the wait between two checkpoints short. Capacity 1.
	urgent chan struct{}

	mu sync.Mutex
	// drained, when not nil, is closed when the next checkpoint to start
	// has ended. catchUp creates it.
	drained chan struct{}

	// warnedAt is when warnIfStuck last logged. Only run uses it.
	warnedAt time.Time

	stopOnce sync.Once
}

func newCheckpointer(db *sql.DB, logger *slog.Logger) *checkpointer {
	c := &checkpointer{
		db:     db,
		logger: logger,
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		ran:    make(chan struct{}, 1),
		urgent: make(chan struct{}, 1),
	}
	go c.run()
	return c
}

// nudge wakes the checkpointer after a commit added frames to the WAL,
// at once if backlog, the frames not yet copied, is large.
func (c *checkpointer) nudge(backlog uint32) {
	if backlog >= checkpointBacklogFrames {
		c.hurry()
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// hurry cuts the current wait between two checkpoints short.
func (c *checkpointer) hurry() {
	select {
	case c.urgent <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}

		c.mu.Lock()
		drained := c.drained
		c.drained = nil
		c.mu.Unlock()

		state, err := c.checkpoint(context.Background())
		if err != nil {
			// The next commit tries again, and the writer's own
			// checkpoints bound the WAL meanwhile.
			c.logger.Warn("sqlite background checkpoint failed", "error", err)
		} else {
			c.warnIfStuck(state, time.Now())
		}
		if drained != nil {
			close(drained)
		}
		select {
		case c.ran <- struct{}{}:
		default:
		}

		select {
		case <-c.stop:
			return
		case <-c.urgent:
		case <-time.After(checkpointInterval):
		}
	}
}

// warnIfStuck logs a warning, at most once per stuckWarningInterval, when
// the WAL has passed walStuckFrames and the checkpoint at now could not copy
// all of it.
func (c *checkpointer) warnIfStuck(state walState, now time.Time) {
	if state.frames < walStuckFrames || state.checkpointed >= state.frames {
		return
	}
	if !c.warnedAt.IsZero() && now.Sub(c.warnedAt) < stuckWarningInterval {
		return
	}
	c.warnedAt = now
	c.logger.Warn("sqlite WAL keeps growing because an open read transaction keeps checkpoints from copying it; "+
		"end that transaction, for example in a sqlite3 shell",
		"wal_frames", state.frames, "checkpointed_frames", state.checkpointed)
}

// catchUp starts a checkpoint at once and waits until it has ended, or until
// ctx ends or the checkpointer stops.
func (c *checkpointer) catchUp(ctx context.Context) {
	c.mu.Lock()
	if c.drained == nil {
		c.drained = make(chan struct{})
	}
	drained := c.drained
	c.mu.Unlock()

	c.nudge(checkpointBacklogFrames)

	select {
	case <-drained:
	case <-ctx.Done():
	case <-c.stop:
	}
}

// walState is the outcome of a checkpoint: the frames in the WAL and how
// many of them are now in the database file.
type walState struct {
	frames, checkpointed int
}

// checkpoint runs one PASSIVE checkpoint.
func (c *checkpointer) checkpoint(ctx context.Context) (walState, error) {
	var busy int
	var state walState
	err := c.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &state.frames, &state.checkpointed)
	if err != nil {
		return walState{}, fmt.Errorf("checkpoint the WAL: %w", err)
	}
	return state, nil
}

// close stops the background checkpoints and closes their connection. It
// may be called more than once.
func (c *checkpointer) close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
