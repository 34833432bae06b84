package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"numberpool/store/postgres/pgtest"
)

func quietOptions() Options {
	return Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// appliedVersions returns the versions recorded in goose's table, one entry
// per row.
func appliedVersions(t *testing.T, url string) []int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(t.Context())

	rows, err := conn.Query(t.Context(), `SELECT version_id FROM goose_db_version WHERE is_applied ORDER BY id`)
	if err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	return versions
}

// allVersions returns version 0, which goose records first, and the version
// of every embedded migration, in order.
func allVersions(t *testing.T) []int64 {
	t.Helper()
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatalf("list the embedded migrations: %v", err)
	}
	versions := []int64{0}
	for _, name := range names {
		v, err := strconv.ParseInt(strings.SplitN(path.Base(name), "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("version of migration %s: %v", name, err)
		}
		versions = append(versions, v)
	}
	return versions
}

func execOn(t *testing.T, url, statement string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), statement); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
}

func TestOpenConcurrently(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	const replicas = 4
	start := make(chan struct{})
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			<-start
			s, err := Open(ctx, url, quietOptions())
			errs[i] = err
			if err == nil {
				s.Close()
			}
		})
	}
	close(start)
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("Open of replica %d: %v", i, err)
		}
	}
	if got, want := appliedVersions(t, url), allVersions(t); !slices.Equal(got, want) {
		t.Errorf("applied versions = %v, want %v: each migration recorded once", got, want)
	}
}

func TestMigrateTwice(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := Open(t.Context(), url, quietOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	if err := s.Migrate(t.Context()); err != nil {
		t.Errorf("second Migrate: %v", err)
	}
	if got, want := appliedVersions(t, url), allVersions(t); !slices.Equal(got, want) {
		t.Errorf("applied versions = %v, want %v", got, want)
	}
}

func TestOpenNoMigrate(t *testing.T) {
	latest := allVersions(t)[len(allVersions(t))-1]
	tests := []struct {
		name     string
		prepare  func(t *testing.T, url string)
		wantErr  string // "" for success
		outdated bool
	}{
		{"empty database", func(*testing.T, string) {}, "run `numberpool migrate`", true},
		{"migrated", migrate, "", false},
		{"newer schema", func(t *testing.T, url string) {
			migrate(t, url)
			execOn(t, url, fmt.Sprintf(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (%d, true)`, latest+1))
		}, fmt.Sprintf("newer than version %d", latest), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := pgtest.NewDatabase(t)
			tt.prepare(t, url)

			s, err := OpenNoMigrate(t.Context(), url, quietOptions())
			if err == nil {
				s.Close()
			}

			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("OpenNoMigrate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("OpenNoMigrate error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := errors.Is(err, ErrSchemaOutdated); got != tt.outdated {
				t.Errorf("errors.Is(err, ErrSchemaOutdated) = %v, want %v", got, tt.outdated)
			}
		})
	}
}

func TestOpenNoMigrateLeavesSchemaAlone(t *testing.T) {
	url := pgtest.NewDatabase(t)
	if _, err := OpenNoMigrate(t.Context(), url, quietOptions()); err == nil {
		t.Fatal("OpenNoMigrate of an empty database: error = nil, want ErrSchemaOutdated")
	}

	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(t.Context())
	var tables int
	err = conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables)
	if err != nil {
		t.Fatalf("count tables: %v", err)
	}
	if tables != 0 {
		t.Errorf("tables after OpenNoMigrate = %d, want 0", tables)
	}
}

func migrate(t *testing.T, url string) {
	t.Helper()
	s, err := Open(t.Context(), url, quietOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
}
