// Package pgtest creates throwaway PostgreSQL databases for tests, one per
// test, on the server that the NUMBERPOOL_TEST_POSTGRES environment variable
// names.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultServerURL is the server that tests use when NUMBERPOOL_TEST_POSTGRES
// is empty: the local PostgreSQL with trust authentication.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// startCommand starts the local server of a Debian machine.
const startCommand = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

// setupTimeout bounds creating or dropping one database.
const setupTimeout = 30 * time.Second

// ServerURL returns the URL of the test server: NUMBERPOOL_TEST_POSTGRES, or
// DefaultServerURL when that is empty.
func ServerURL() string {
	if u := os.Getenv("NUMBERPOOL_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultServerURL
}

// NewDatabase creates an empty database named numberpool_test_ and 16 random
// hex digits, drops it with every connection to it when tb ends, and returns
// its URL. It fails tb, with the command that starts the local server, when
// the server cannot be reached.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server, err := url.Parse(ServerURL())
	if err != nil || (server.Scheme != "postgres" && server.Scheme != "postgresql") {
		tb.Fatalf("invalid NUMBERPOOL_TEST_POSTGRES: expected a postgres:// URL such as %s", DefaultServerURL)
	}

	name := "numberpool_test_" + randomHex(8)
	if err := execOnServer(server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create test database %s on %s: %v\nIs PostgreSQL running? Start the local server with:\n  %s\nor point NUMBERPOOL_TEST_POSTGRES at another one.",
			name, server.Redacted(), err, startCommand)
	}
	tb.Cleanup(func() {
		if err := execOnServer(server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s on %s: %v", name, server.Redacted(), err)
		}
	})

	database := *server
	database.Path = "/" + name
	return database.String()
}

// execOnServer runs one statement on its own connection to server.
func execOnServer(server *url.URL, statement string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()

	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, statement)
	return err
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b)
	return hex.EncodeToString(b)
}
