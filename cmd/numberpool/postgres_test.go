package main

import (
	"net/http"
	"strings"
	"testing"

	"numberpool"
	"numberpool/store/postgres/pgtest"
)

func TestPostgresCommandsNeedMigration(t *testing.T) {
	db := pgtest.NewDatabase(t)
	r := runCommand(t, nil, "", "accounts", "create", "--db", db)
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if !strings.Contains(r.stderr, "numberpool migrate") {
		t.Errorf("stderr does not say to run numberpool migrate:\n%s", r.stderr)
	}
}

func TestPostgresOperatorCommands(t *testing.T) {
	db := pgtest.NewDatabase(t)
	mustRun(t, "", "migrate", "--db", db, "--log-level", "warn")
	// A second run finds nothing to apply and succeeds too.
	mustRun(t, "", "migrate", "--db", db, "--log-level", "warn")

	if out := mustRun(t, "", "accounts", "create", "--db", db, "--id", "acc_pg"); out != "acc_pg\n" {
		t.Errorf("accounts create printed %q, want %q", out, "acc_pg\n")
	}
	key := strings.TrimSpace(mustRun(t, "", "keys", "create", "--db", db, "--account", "acc_pg"))
	if !strings.HasPrefix(key, numberpool.LiveKeyPrefix) {
		t.Errorf("keys create printed %q, want a live key", key)
	}

	csv := writeFile(t, "e164,account_id,purchased_at\n+14155552000,acc_pg,2026-01-15T09:30:00Z\n")
	if out := mustRun(t, "", "inventory", "import", "--db", db, csv); !strings.HasPrefix(out, "imported 1 number from") {
		t.Errorf("inventory import printed %q", out)
	}
}

// TestPostgresSelectedByEnvironment checks that NUMBERPOOL_DB alone selects
// PostgreSQL, for both URL schemes.
func TestPostgresSelectedByEnvironment(t *testing.T) {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		t.Run(strings.TrimSuffix(scheme, "://"), func(t *testing.T) {
			db := scheme + strings.TrimPrefix(pgtest.NewDatabase(t), "postgres://")
			r := runCommand(t, map[string]string{"NUMBERPOOL_DB": db}, "", "migrate", "--log-level", "warn")
			if r.code != exitOK {
				t.Fatalf("migrate: exit code %d, stderr:\n%s", r.code, r.stderr)
			}
			r = runCommand(t, map[string]string{"NUMBERPOOL_DB": db}, "", "accounts", "create", "--id", "acc_env")
			if r.code != exitOK {
				t.Errorf("accounts create after migrate: exit code %d, stderr:\n%s", r.code, r.stderr)
			}
		})
	}
}

func TestPostgresErrorHidesPassword(t *testing.T) {
	// Port 1 on the loopback address refuses the connection at once.
	const secret = "s3cret-Passw0rd"
	db := "postgres://numberpool:" + secret + "@127.0.0.1:1/numberpool?sslmode=disable&connect_timeout=5"
	r := runCommand(t, nil, "", "migrate", "--db", db)
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if strings.Contains(r.stderr, secret) {
		t.Errorf("stderr contains the password:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "127.0.0.1") {
		t.Errorf("stderr does not name the server:\n%s", r.stderr)
	}
}

func TestPostgresServeReleaseFlow(t *testing.T) {
	s := startServer(t, pgtest.NewDatabase(t), numberpool.NewManualClock(testNow))

	s.checkCall(t, http.MethodDelete, demoNumberPath, s.key, http.StatusOK,
		`{"e164":"+14155551234","status":"released","released_at":"2026-04-09T11:45:00Z","early_termination_fee":25.00,`+
			`"currency":"USD","cooling_off_period_days":30,"available_after":"2026-05-09T11:45:00Z"}`)
	if status, _ := s.call(t, http.MethodDelete, demoNumberPath, s.key); status != http.StatusConflict {
		t.Errorf("second DELETE: status %d, want 409", status)
	}
	if status, body := s.call(t, http.MethodGet, "/healthz", ""); status != http.StatusOK {
		t.Errorf("GET /healthz: status %d, body %s", status, body)
	}
}
