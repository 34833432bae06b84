package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"numberpool"
)

func TestConnectionLost(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"conn closed", fmt.Errorf("find account: %w", pgconn.ErrConnClosed), true},
		{"unexpected EOF", fmt.Errorf("ping: %w", io.ErrUnexpectedEOF), true},
		{"EOF", io.EOF, true},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"server error", &pgconn.PgError{Code: sqlstateUniqueViolation}, false},
		{"no rows", pgx.ErrNoRows, false},
		{"other", errors.New("invalid input"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := connectionLost(tt.err); got != tt.want {
				t.Errorf("connectionLost(%v) = %t, want %t", tt.err, got, tt.want)
			}
			if got := unavailable(tt.err); tt.want && !got {
				t.Errorf("unavailable(%v) = false, want true for a lost connection", tt.err)
			}
		})
	}
}

// TestStoreSurvivesTerminatedConnections ends every server session of the
// store's pool while the connections sit idle, as a restart of PostgreSQL
// does, and checks that the next calls succeed on new connections.
func TestStoreSurvivesTerminatedConnections(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := t.Context()
	if _, err := s.CreateAccount(ctx, "acc_restart"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	fillPool(t, s)

	terminated := terminateSessions(t, s)
	if terminated == 0 {
		t.Fatal("no session of the store was terminated, so the test proves nothing")
	}

	for i := range 3 {
		if _, err := s.GetAccount(ctx, "acc_restart"); err != nil {
			t.Errorf("GetAccount %d after %d sessions were terminated: %v", i+1, terminated, err)
		}
	}
	if _, err := s.AccountForKey(ctx, []byte("no such key")); numberpool.ErrorCode(err) != numberpool.CodeNotFound {
		t.Errorf("AccountForKey error = %v, want NOT_FOUND", err)
	}
}

// fillPool makes the pool open as many connections as it may, by holding
// them all at once.
func fillPool(t *testing.T, s *Store) {
	t.Helper()
	size := int(s.pool.Config().MaxConns)
	errs := make([]error, size)
	var acquired, released sync.WaitGroup
	hold := make(chan struct{})
	acquired.Add(size)
	for i := range size {
		released.Go(func() {
			conn, err := s.pool.Acquire(t.Context())
			acquired.Done()
			if err != nil {
				errs[i] = err
				return
			}
			defer conn.Release()
			<-hold
		})
	}
	acquired.Wait()
	close(hold)
	released.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("acquire connections: %v", err)
	}
}

// terminateSessions ends every other session on the store's database from
// a connection of its own, and returns how many it ended.
func terminateSessions(t *testing.T, s *Store) int {
	t.Helper()
	conn, err := pgx.ConnectConfig(t.Context(), s.pool.Config().ConnConfig)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())

	var count int
	err = conn.QueryRow(t.Context(), `
		SELECT count(*) FROM (
			SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
		) AS ended`).Scan(&count)
	if err != nil {
		t.Fatalf("terminate sessions: %v", err)
	}
	return count
}
