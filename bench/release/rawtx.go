package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/mattn/go-sqlite3" // the "sqlite3" database/sql driver
)

// The statements of the baseline phases: a read of one number by its primary
// key, as a preview starts with, and an update of one row, each in a
// transaction of its own. They show what the database does here without
// numberpool, so that each figure of the API reads as a fraction of it.
const (
	rawSelect = `SELECT status FROM numbers WHERE e164 = $1`
	rawUpdate = `UPDATE numbers SET updated_at = updated_at + 1 WHERE e164 = $1`
)

// storeConns is the size of the connection pools that the stores open: the
// PostgreSQL store's pgxpool default, and the SQLite store's reader pool.
// The SQLite store writes through one connection.
var storeConns = max(4, runtime.NumCPU())

// rawDB runs the baseline statements on the benchmark's database, through
// as many connections as the numberpool servers of the setup have in all.
type rawDB struct {
	read  func(ctx context.Context, e164 string) error
	write func(ctx context.Context, e164 string) error
	close func()
}

// openRaw connects to db for the baseline phases of a setup with replicas
// servers.
func openRaw(ctx context.Context, db string, replicas int) (rawDB, error) {
	if isPostgresURL(db) {
		return openRawPostgres(ctx, db, storeConns*replicas)
	}
	return openRawSQLite(db)
}

func openRawPostgres(ctx context.Context, db string, conns int) (rawDB, error) {
	config, err := pgxpool.ParseConfig(db)
	if err != nil {
		return rawDB{}, fmt.Errorf("parse database URL: %w", err)
	}
	config.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return rawDB{}, fmt.Errorf("connect baseline pool: %w", err)
	}

	read := func(ctx context.Context, e164 string) error {
		var status string
		return pool.QueryRow(ctx, rawSelect, e164).Scan(&status)
	}
	write := func(ctx context.Context, e164 string) error {
		tag, err := pool.Exec(ctx, rawUpdate, e164)
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("update of %s changed %d rows, expected 1", e164, tag.RowsAffected())
		}
		return err
	}
	return rawDB{read: read, write: write, close: pool.Close}, nil
}

// openRawSQLite opens the file with the settings of the SQLite store: one
// writer connection in WAL mode with synchronous=FULL, and a pool of
// query-only readers.
func openRawSQLite(path string) (rawDB, error) {
	// The path comes from os.MkdirTemp, so it needs no escaping in the URI.
	writer, err := sql.Open("sqlite3", "file:"+path+"?"+url.Values{
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
		"_busy_timeout": {"10000"},
		"_txlock":       {"immediate"},
	}.Encode())
	if err != nil {
		return rawDB{}, fmt.Errorf("open baseline writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite3", "file:"+path+"?"+url.Values{
		"_query_only":   {"1"},
		"_busy_timeout": {"10000"},
	}.Encode())
	if err != nil {
		writer.Close()
		return rawDB{}, fmt.Errorf("open baseline reader: %w", err)
	}
	reader.SetMaxOpenConns(storeConns)
	reader.SetMaxIdleConns(storeConns)

	read := func(ctx context.Context, e164 string) error {
		var status string
		return reader.QueryRowContext(ctx, rawSelect, e164).Scan(&status)
	}
	write := func(ctx context.Context, e164 string) error {
		result, err := writer.ExecContext(ctx, rawUpdate, e164)
		if err != nil {
			return err
		}
		if n, _ := result.RowsAffected(); n != 1 {
			return fmt.Errorf("update of %s changed %d rows, expected 1", e164, n)
		}
		return nil
	}
	return rawDB{read: read, write: write, close: func() { reader.Close(); writer.Close() }}, nil
}

// driveRaw measures one baseline phase: statement i runs on numbers[i %
// len(numbers)].
func driveRaw(ctx context.Context, name string, run func(context.Context, string) error, numbers []string, cfg config) phaseResult {
	return driveEach(ctx, name, cfg.maxRequests, cfg.conns, cfg.duration, func(ctx context.Context, i int, res *phaseResult) {
		began := time.Now()
		err := run(ctx, numbers[i%len(numbers)])
		elapsed := time.Since(began)

		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
		res.requests++
		res.latencies = append(res.latencies, elapsed)
		if err != nil {
			res.fail(fmt.Errorf("%s on %s: %w", name, numbers[i%len(numbers)], err))
			return
		}
		res.succeeded = append(res.succeeded, i)
	})
}
