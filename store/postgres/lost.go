package postgres

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// connectionLost reports whether err shows that the connection to the
// server broke: the server closed it (a restart, or pg_terminate_backend),
// the network reset it, or pgx had already closed it after an earlier
// failure. pgx reports these without a SQLSTATE, and marks them safe to
// retry only when no byte of the request had been sent.
func connectionLost(err error) bool {
	var opErr *net.OpError
	switch {
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return true
	case errors.As(err, &opErr):
		return true
	}
	return false
}
