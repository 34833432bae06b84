package main

import (
	"regexp"
	"strings"

	"numberpool/store/postgres"
)

// backend is the kind of database that --db names.
type backend int

const (
	backendSQLite backend = iota
	backendPostgres
)

// dbForms lists the accepted forms of --db for error messages.
const dbForms = "a SQLite file path, a postgres:// or postgresql:// URL, or a PostgreSQL key=value string such as \"host=127.0.0.1 dbname=numberpool\""

// urlScheme matches the scheme of a URL as RFC 3986 spells it.
var urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// postgresKeys are the keywords of a PostgreSQL key=value connection string
// that pgx v5 reads (from libpq's list). One of them as a "key=" word marks
// the string as PostgreSQL's.
var postgresKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "database": true,
	"user": true, "password": true, "passfile": true, "service": true, "servicefile": true,
	"sslmode": true, "sslkey": true, "sslcert": true, "sslrootcert": true, "sslpassword": true,
	"sslsni": true, "connect_timeout": true, "application_name": true, "options": true,
	"target_session_attrs": true, "search_path": true,
}

// parseDB returns the backend that db selects. A postgres:// or
// postgresql:// URL, or a string with a PostgreSQL "key=value" word, selects
// PostgreSQL and must parse. Any other "scheme://" is a usage error, and
// everything else is a SQLite file path.
func parseDB(db string) (backend, error) {
	if db == "" {
		return 0, usageErrorf("invalid --db/NUMBERPOOL_DB: it is empty; give %s", dbForms)
	}
	if m := urlScheme.FindStringSubmatch(db); m != nil {
		scheme := strings.ToLower(m[1])
		if scheme != "postgres" && scheme != "postgresql" {
			return 0, usageErrorf("invalid --db/NUMBERPOOL_DB: unsupported scheme %q; give %s", m[1], dbForms)
		}
	} else if !isPostgresKeyValue(db) {
		return backendSQLite, nil
	}

	if err := postgres.ValidateConnString(db); err != nil {
		return 0, usageErrorf("invalid --db/NUMBERPOOL_DB: %v", err)
	}
	return backendPostgres, nil
}

// isPostgresKeyValue reports whether db has a word "key=..." whose key is a
// PostgreSQL connection keyword.
func isPostgresKeyValue(db string) bool {
	for word := range strings.FieldsSeq(db) {
		key, _, found := strings.Cut(word, "=")
		if found && postgresKeys[strings.ToLower(key)] {
			return true
		}
	}
	return false
}
