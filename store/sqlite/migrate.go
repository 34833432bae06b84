package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func embeddedMigrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists at build time
	}
	return sub
}

func (s *Store) provider() (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.writer, s.migrations)
	if err != nil {
		return nil, fmt.Errorf("load migrations for %s: %w", s.path, err)
	}
	return p, nil
}

// Migrate applies the pending migrations in order, each in its own
// transaction. It does nothing when the schema is current, so it is safe to
// run on every start.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate that also returns the count of migrations it
// applied.
func (s *Store) ApplyMigrations(ctx context.Context) (int, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate sqlite database %s: %w", s.path, err)
	}
	for _, r := range results {
		s.logger.InfoContext(ctx, "sqlite migration applied",
			"path", s.path, "version", r.Source.Version, "duration_ms", r.Duration.Milliseconds())
	}
	return len(results), nil
}

// SchemaVersion returns the version of the newest migration applied to the
// database, 0 when none has been. On a file without goose's version table
// it creates that table, as OpenNoMigrate does.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	version, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", s.path, err)
	}
	return version, nil
}

// checkSchema returns an error unless every embedded migration has been
// applied and none newer than them.
func (s *Store) checkSchema(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version of %s: %w", s.path, err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read pending migrations of %s: %w", s.path, err)
	}

	switch {
	case current < target || pending:
		return fmt.Errorf("database %s has schema version %d but this numberpool needs version %d: run `numberpool migrate` to upgrade it",
			s.path, current, target)
	case current > target:
		return fmt.Errorf("database %s has schema version %d, newer than version %d of this numberpool: upgrade numberpool to a release that includes migration %d",
			s.path, current, target, current)
	}
	return nil
}
