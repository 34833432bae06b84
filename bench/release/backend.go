package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool"
	"numberpool/store/postgres"
	"numberpool/store/sqlite"
)

// setup is one configuration that a run measures: a backend and how many
// numberpool servers share it.
type setup struct {
	backend  string // "sqlite" or "postgres"
	replicas int
}

func (s setup) String() string {
	return fmt.Sprintf("%s x%d", s.backend, s.replicas)
}

// defaultPostgresURL is the local server with trust authentication, as the
// tests use it.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// adminTimeout bounds creating or dropping the benchmark's database.
const adminTimeout = 30 * time.Second

// prepareDatabase returns the --db value of a fresh database for s and a
// function that removes it: a file in dir for SQLite, or a database with a
// random name on the PostgreSQL server at serverURL.
func prepareDatabase(ctx context.Context, s setup, dir, serverURL string) (string, func() error, error) {
	if s.backend == "sqlite" {
		return filepath.Join(dir, "numberpool.db"), func() error { return nil }, nil
	}

	server, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("invalid -postgres URL: %w", err)
	}
	name := "numberpool_bench_" + randomHex(8)
	if err := execAdmin(ctx, server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create database %s on %s: %w", name, server.Redacted(), err)
	}
	drop := func() error {
		// The context of the run may have ended, and the database must go
		// all the same.
		err := execAdmin(context.Background(), server, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		if err != nil {
			return fmt.Errorf("drop database %s on %s: %w", name, server.Redacted(), err)
		}
		return nil
	}

	database := *server
	database.Path = "/" + name
	return database.String(), drop, nil
}

// checkLoopbackServer returns an error unless the PostgreSQL server of
// serverURL is on a loopback address, because the benchmark sends its load
// to this machine only.
func checkLoopbackServer(serverURL string) error {
	server, err := url.Parse(serverURL)
	if err != nil || (server.Scheme != "postgres" && server.Scheme != "postgresql") {
		return fmt.Errorf("invalid -postgres: expected a postgres:// URL such as %s", defaultPostgresURL)
	}
	ip := net.ParseIP(server.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("invalid -postgres host %q: expected a loopback address such as 127.0.0.1", server.Hostname())
	}
	return nil
}

// execAdmin runs one statement on its own connection to server.
func execAdmin(ctx context.Context, server *url.URL, statement string) error {
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, statement)
	return err
}

// openStore opens db, a SQLite file path or a postgres:// URL, and applies
// the migrations.
func openStore(ctx context.Context, db string, logger *slog.Logger) (numberpool.Store, error) {
	if isPostgresURL(db) {
		return postgres.Open(ctx, db, postgres.Options{Logger: logger})
	}
	return sqlite.Open(ctx, db, sqlite.Options{Logger: logger})
}

func isPostgresURL(db string) bool {
	u, err := url.Parse(db)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b)
	return hex.EncodeToString(b)
}
