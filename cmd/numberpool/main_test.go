package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
	"numberpool/store/sqlite"
)

// testNow is the time of every test: the release page's example time.
var testNow = time.Date(2026, 4, 9, 11, 45, 0, 0, time.UTC)

// result is what one in-process run of the command produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCommand runs the command with args, the environment variables env
// only, stdin as standard input and a clock stopped at testNow.
func runCommand(tb testing.TB, env map[string]string, stdin string, args ...string) result {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
		getenv: func(name string) (string, bool) {
			v, ok := env[name]
			return v, ok
		},
		clock: numberpool.NewManualClock(testNow),
	}
	code := a.run(context.Background(), args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs the command and fails the test unless it exits with 0.
func mustRun(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	r := runCommand(tb, nil, stdin, args...)
	if r.code != exitOK {
		tb.Fatalf("numberpool %s: exit code %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// newDB returns the path of a migrated SQLite file in a temporary directory.
func newDB(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "numberpool.db")
	mustRun(tb, "", "migrate", "--db", path, "--log-level", "warn")
	return path
}

// openTestStore opens the store at path for checks and closes it at the end
// of the test.
func openTestStore(tb testing.TB, path string) numberpool.Store {
	tb.Helper()
	store, err := sqlite.OpenNoMigrate(context.Background(), path, sqlite.Options{Clock: numberpool.NewManualClock(testNow)})
	if err != nil {
		tb.Fatalf("open store %s: %v", path, err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}

func writeFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "numbers.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestNoCommandPrintsUsage(t *testing.T) {
	r := runCommand(t, nil, "")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, "numberpool inventory import") {
		t.Errorf("stderr does not show the usage:\n%s", r.stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	r := runCommand(t, nil, "", "accounts", "delete")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	want := `numberpool: unknown command "accounts delete": expected serve, migrate, sweep, accounts create, keys create, inventory import|check or holds place|lift|list; run numberpool help` + "\n"
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

func TestHelp(t *testing.T) {
	r := runCommand(t, nil, "", "help")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "numberpool runs") {
		t.Errorf("help: exit code %d, stdout:\n%s", r.code, r.stdout)
	}
}

func TestCommandHelpFlag(t *testing.T) {
	r := runCommand(t, nil, "", "keys", "create", "-h")
	if r.code != exitOK {
		t.Errorf("exit code = %d, want 0", r.code)
	}
	if !strings.Contains(r.stderr, "Usage: numberpool keys create --account acc_x") || !strings.Contains(r.stderr, "NUMBERPOOL_DB") {
		t.Errorf("stderr does not show the usage and flags:\n%s", r.stderr)
	}
}

func TestMigratePrintsResult(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numberpool.db")
	out := mustRun(t, "", "migrate", "--db", path)
	if out == "" {
		t.Error("migrate printed nothing")
	}
	// A second run finds nothing to do and succeeds too.
	mustRun(t, "", "migrate", "--db", path)
}

func TestCommandsNeedMigratedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numberpool.db")
	r := runCommand(t, nil, "", "accounts", "create", "--db", path)
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if !strings.Contains(r.stderr, "numberpool migrate") {
		t.Errorf("stderr does not say to run numberpool migrate:\n%s", r.stderr)
	}
}

var generatedAccountID = regexp.MustCompile(`^acc_[0-9A-Za-z]{12}\n$`)

func TestAccountsCreateGeneratesID(t *testing.T) {
	path := newDB(t)
	out := mustRun(t, "", "accounts", "create", "--db", path)
	if !generatedAccountID.MatchString(out) {
		t.Fatalf("stdout = %q, want acc_ and 12 base62 characters alone on a line", out)
	}

	id := strings.TrimSpace(out)
	if _, err := openTestStore(t, path).GetAccount(context.Background(), id); err != nil {
		t.Errorf("GetAccount(%s): %v", id, err)
	}
	if other := mustRun(t, "", "accounts", "create", "--db", path); other == out {
		t.Errorf("two generated ids are both %q", out)
	}
}

func TestAccountsCreateWithID(t *testing.T) {
	path := newDB(t)
	if out := mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x"); out != "acc_x\n" {
		t.Fatalf("stdout = %q, want %q", out, "acc_x\n")
	}
	if _, err := openTestStore(t, path).GetAccount(context.Background(), "acc_x"); err != nil {
		t.Errorf("GetAccount(acc_x): %v", err)
	}
}

func TestAccountsCreateDuplicate(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")

	r := runCommand(t, nil, "", "accounts", "create", "--db", path, "--id", "acc_x")
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	want := "numberpool: account acc_x already exists: choose another --id, or leave it out to generate one\n"
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

func TestAccountsCreateInvalidID(t *testing.T) {
	path := newDB(t)
	r := runCommand(t, nil, "", "accounts", "create", "--db", path, "--id", "account-1")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, `invalid account id "account-1"`) {
		t.Errorf("stderr does not name the id:\n%s", r.stderr)
	}
}

func TestKeysCreateAuthenticates(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")

	out := mustRun(t, "", "keys", "create", "--db", path, "--account", "acc_x")
	key, ok := strings.CutSuffix(out, "\n")
	if !ok || strings.Contains(key, "\n") || !strings.HasPrefix(key, numberpool.LiveKeyPrefix) {
		t.Fatalf("stdout = %q, want one live key alone on a line", out)
	}

	got, err := openTestStore(t, path).AccountForKey(context.Background(), numberpool.HashAPIKey(key))
	if err != nil {
		t.Fatalf("AccountForKey: %v", err)
	}
	if got != "acc_x" {
		t.Errorf("key belongs to %q, want acc_x", got)
	}
}

func TestKeysCreateErrors(t *testing.T) {
	path := newDB(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"unknown account", []string{"--account", "acc_nobody"}, exitFail,
			"account acc_nobody not found: create it first with numberpool accounts create --id acc_nobody"},
		{"missing account", nil, exitUsage, "missing --account"},
		{"invalid account", []string{"--account", "nobody"}, exitUsage, `invalid account id "nobody"`},
		{"positional argument", []string{"--account", "acc_x", "extra"}, exitUsage, "takes 0 positional arguments, got 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, nil, "", append([]string{"keys", "create", "--db", path}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d", r.code, tt.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.inStderr, r.stderr)
			}
		})
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	path := newDB(t)
	for _, args := range [][]string{
		{"accounts", "create", "--db", path, "--id", "bad id"},
		{"keys", "create", "--db", path, "--account", "acc_nobody"},
		{"migrate", "--db", path, "--cooling-off-days", "-1"},
	} {
		r := runCommand(t, nil, "", args...)
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "numberpool: ") {
			t.Errorf("numberpool %s: stderr is not one line:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
}
