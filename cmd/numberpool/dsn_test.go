package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"numberpool/store/postgres/pgtest"
)

// keyValueDSN returns the key=value form of a postgres:// URL from pgtest,
// with extra appended.
func keyValueDSN(tb testing.TB, rawURL, extra string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("parse %s: %v", rawURL, err)
	}
	dsn := "host=" + u.Hostname() + " port=" + u.Port() + " user=" + u.User.Username() +
		" dbname=" + strings.TrimPrefix(u.Path, "/") + " sslmode=disable"
	return dsn + extra
}

// chdirTemp runs the test in an empty temporary directory, so that a SQLite
// file created by mistake under a relative name can be seen.
func chdirTemp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

func checkEmptyDir(tb testing.TB, dir string) {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		tb.Errorf("file %s was created", e.Name())
	}
}

func TestDBKeyValueSelectsPostgres(t *testing.T) {
	dir := chdirTemp(t)
	dsn := keyValueDSN(t, pgtest.NewDatabase(t), "")

	out := mustRun(t, "", "migrate", "--db", dsn, "--log-level", "warn")
	if !strings.HasPrefix(out, "applied ") {
		t.Errorf("migrate printed %q, want applied migrations", out)
	}
	if out := mustRun(t, "", "accounts", "create", "--db", dsn, "--id", "acc_kv"); out != "acc_kv\n" {
		t.Errorf("accounts create printed %q", out)
	}
	checkEmptyDir(t, dir)
}

func TestDBUnsupportedScheme(t *testing.T) {
	dir := chdirTemp(t)
	for _, db := range []string{"mysql://x", "sqlserver://u:pw@127.0.0.1/x"} {
		t.Run(db[:strings.Index(db, ":")], func(t *testing.T) {
			r := runCommand(t, nil, "", "accounts", "create", "--db", db)
			if r.code != exitUsage {
				t.Errorf("exit code = %d, want %d", r.code, exitUsage)
			}
			scheme := db[:strings.Index(db, ":")]
			for _, want := range []string{`"` + scheme + `"`, "postgres://", "SQLite"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "Usage:") {
				t.Errorf("stderr shows the usage text:\n%s", r.stderr)
			}
		})
	}
	checkEmptyDir(t, dir)
}

func TestDBMalformedPostgresURL(t *testing.T) {
	const secret = "TOPSECRET"
	for name, db := range map[string]string{
		"port":      "postgres://numberpool:" + secret + "@127.0.0.1:notaport/x",
		"key-value": "host=127.0.0.1 password=" + secret + " sslmode=bogus",
	} {
		t.Run(name, func(t *testing.T) {
			r := runCommand(t, map[string]string{"NUMBERPOOL_DB": db}, "", "migrate")
			if r.code != exitUsage {
				t.Errorf("exit code = %d, want %d", r.code, exitUsage)
			}
			if !strings.Contains(r.stderr, "NUMBERPOOL_DB") {
				t.Errorf("stderr does not name NUMBERPOOL_DB:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, secret) {
				t.Errorf("stderr contains the password:\n%s", r.stderr)
			}
		})
	}
}

func TestDBMissingPostgresDatabase(t *testing.T) {
	const secret = "TOPSECRET"
	dsn := keyValueDSN(t, pgtest.ServerURL(), " password="+secret)
	dsn = strings.Replace(dsn, "dbname=postgres", "dbname=numberpool_test_missing", 1)

	r := runCommand(t, nil, "", "migrate", "--db", dsn)
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if !strings.Contains(r.stderr, `"numberpool_test_missing" does not exist`) {
		t.Errorf("stderr does not say that the database does not exist:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "try again later") {
		t.Errorf("stderr suggests retrying:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, secret) {
		t.Errorf("stderr contains the password:\n%s", r.stderr)
	}
}

func TestCommandsNeedExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	commands := [][]string{
		{"accounts", "create"},
		{"keys", "create", "--account", "acc_1"},
		{"holds", "list", "--account", "acc_1"},
		{"sweep"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args[:min(2, len(args))], "_"), func(t *testing.T) {
			r := runCommand(t, nil, "", append(args, "--db", path)...)
			if r.code != exitFail {
				t.Errorf("exit code = %d, want %d", r.code, exitFail)
			}
			if !strings.Contains(r.stderr, "not found") || !strings.Contains(r.stderr, "numberpool migrate") {
				t.Errorf("stderr does not say the file is missing:\n%s", r.stderr)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("%s exists after the command: %v", path, err)
			}
		})
	}
}

func TestMigratePrintsVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numberpool.db")
	first := mustRun(t, "", "migrate", "--db", path, "--log-level", "warn")
	version := first[strings.LastIndex(first, " ")+1:] // with its newline
	if !strings.HasPrefix(first, "applied ") || !strings.Contains(first, " migrations, schema version ") {
		t.Fatalf("first migrate printed %q", first)
	}

	second := mustRun(t, "", "migrate", "--db", path, "--log-level", "warn")
	if want := "schema is up to date at version " + version; second != want {
		t.Errorf("second migrate printed %q, want %q", second, want)
	}
}
