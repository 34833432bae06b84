package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
	"numberpool/inventory"
)

const goodInventory = `e164,type,region,capabilities,monthly_fee,setup_fee,account_id,purchased_at,status,released_at
+14155551111,,CA,voice;sms,1.15,0,,,,
+18885551234,toll_free,,voice,2.00,1.00,,,,
+14155552222,local,CA,voice;sms;mms,1.25,,acc_x,2026-01-10T08:00:00Z,,
+14155553333,local,CA,voice,1.25,,acc_x,2025-06-01T00:00:00Z,released,2026-04-01T00:00:00Z
`

func TestInventoryImportGoodFile(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")
	file := writeFile(t, goodInventory)

	out := mustRun(t, "", "inventory", "import", "--db", path, file)
	if want := fmt.Sprintf("imported 4 numbers from %s\n", file); out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}

	store := openTestStore(t, path)
	active, err := store.GetNumber(context.Background(), "acc_x", "+14155552222")
	if err != nil {
		t.Fatalf("GetNumber(+14155552222): %v", err)
	}
	if active.Status != numberpool.StatusActive || !active.PurchasedAt.Equal(time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("+14155552222 = %+v, want active since 2026-01-10T08:00:00Z", active)
	}

	released, err := store.GetNumber(context.Background(), "acc_x", "+14155553333")
	if err != nil {
		t.Fatalf("GetNumber(+14155553333): %v", err)
	}
	wantAfter := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) // released_at + 30 days
	if released.Status != numberpool.StatusReleased || !released.AvailableAfter.Equal(wantAfter) {
		t.Errorf("+14155553333 = %+v, want released until %s", released, wantAfter)
	}

	// The available numbers are in the pool: importing them again conflicts.
	again := runCommand(t, nil, "", "inventory", "import", "--db", path, writeFile(t, "e164\n+18885551234\n"))
	if again.code != exitFail || !strings.Contains(again.stderr, "+18885551234 already exists") {
		t.Errorf("second import: exit code %d, stderr:\n%s", again.code, again.stderr)
	}
}

func TestInventoryImportPolicyFlag(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")
	file := writeFile(t, "e164,account_id,purchased_at,status,released_at\n"+
		"+18885551234,acc_x,2026-01-01T00:00:00Z,released,2026-04-01T00:00:00Z\n")

	mustRun(t, "", "inventory", "import", "--db", path, "--policy", "US/toll_free:cooling_off_days=45", file)

	n, err := openTestStore(t, path).GetNumber(context.Background(), "acc_x", "+18885551234")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 5, 16, 0, 0, 0, 0, time.UTC); !n.AvailableAfter.Equal(want) {
		t.Errorf("AvailableAfter = %s, want %s (45 days)", n.AvailableAfter, want)
	}
}

func TestInventoryImportStdin(t *testing.T) {
	path := newDB(t)
	out := mustRun(t, "e164\n+14155551111\n+14155551112\n", "inventory", "import", "--db", path, "-")
	if out != "imported 2 numbers from standard input\n" {
		t.Errorf("stdout = %q", out)
	}
}

func TestInventoryImportBadRowsImportNothing(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "accounts", "create", "--db", path, "--id", "acc_x")
	// A number listed twice after an invalid row is reported with it,
	// though no rows reach the store after an invalid one.
	bad := goodInventory +
		"+1415,local,,,,,,,,\n" +
		"+14155551111,,,,,,,,,\n" +
		"+14155554444,,,,1.999,,,,,\n"
	file := writeFile(t, bad)

	r := runCommand(t, nil, "", "inventory", "import", "--db", path, file)
	if r.code != exitFail {
		t.Errorf("exit code = %d, want %d", r.code, exitFail)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
	want := `line 6: invalid phone number "+1415": the national number 415 is too short for country code +1; expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)
line 7: duplicate number +14155551111: it is also on line 2
line 8: monthly_fee: invalid amount "1.999": expected a non-negative decimal with at most two decimals, e.g. 1.15
numberpool: ` + file + ` has 3 problems, so nothing was imported: fix the lines above and run the import again
`
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}

	_, err := openTestStore(t, path).GetNumber(context.Background(), "acc_x", "+14155552222")
	if !numberpool.IsCode(err, numberpool.CodeNotFound) {
		t.Errorf("GetNumber(+14155552222) error = %v, want NOT_FOUND after a rejected import", err)
	}
	// Nothing of the good rows is in the pool, so they import now.
	mustRun(t, "", "inventory", "import", "--db", path, writeFile(t, goodInventory))
}

func TestInventoryImportDuplicateLines(t *testing.T) {
	path := newDB(t)
	mustRun(t, "", "inventory", "import", "--db", path, writeFile(t, "e164\n+14155559999\n"))
	tests := []struct {
		name   string
		file   string
		stderr string
	}{
		{"twice in the file", "e164\n+14155551111\n+14155551112\n+14155551111\n",
			"line 4: duplicate number +14155551111: it is also on line 2\n"},
		{"already in the pool", "e164\n+14155551111\n+14155559999\n",
			"number +14155559999 already exists; remove the numbers already in the pool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, nil, "", "inventory", "import", "--db", path, writeFile(t, tt.file))
			if r.code != exitFail || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit code %d, stderr does not contain %q:\n%s", r.code, tt.stderr, r.stderr)
			}
		})
	}

	// On standard input, which cannot be read again, a conflict is the
	// pool's while the importer indexes every number read, and either cause
	// past that.
	r := runCommand(t, nil, "e164\n+14155559999\n", "inventory", "import", "--db", path, "-")
	want := "number +14155559999 already exists; remove the numbers already in the pool from the input"
	if r.code != exitFail || !strings.Contains(r.stderr, want) {
		t.Errorf("standard input: exit code %d, stderr does not contain %q:\n%s", r.code, want, r.stderr)
	}
	defer func(limit int) { inventory.MaxIndexedNumbers = limit }(inventory.MaxIndexedNumbers)
	inventory.MaxIndexedNumbers = 1
	r = runCommand(t, nil, "e164\n+14155551111\n+14155551112\n+14155551112\n", "inventory", "import", "--db", path, "-")
	want = "number +14155551112 already exists, or the input lists it twice; remove it from the input"
	if r.code != exitFail || !strings.Contains(r.stderr, want) {
		t.Errorf("standard input past the index: exit code %d, stderr does not contain %q:\n%s", r.code, want, r.stderr)
	}

	// Neither rejected file left a number behind, so they import now.
	mustRun(t, "", "inventory", "import", "--db", path, writeFile(t, "e164\n+14155551111\n+14155551112\n"))
}

func TestInventoryImportCapsProblemList(t *testing.T) {
	path := newDB(t)
	var b strings.Builder
	b.WriteString("e164\n")
	for i := range 130 {
		fmt.Fprintf(&b, "+1%d\n", i)
	}

	r := runCommand(t, nil, b.String(), "inventory", "import", "--db", path, "-")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 102 {
		t.Fatalf("stderr has %d lines, want 100 problems, a count of the rest and a summary:\n%s", len(lines), r.stderr)
	}
	if !strings.HasPrefix(lines[0], "line 2: ") || !strings.HasPrefix(lines[99], "line 101: ") {
		t.Errorf("problems run from %q to %q, want lines 2 to 101", lines[0], lines[99])
	}
	if lines[100] != "... and 30 more problems" {
		t.Errorf("line 101 of stderr = %q, want the count of the rest", lines[100])
	}
	if !strings.Contains(lines[101], "standard input has 130 problems") {
		t.Errorf("summary = %q", lines[101])
	}
}

func TestInventoryImportErrors(t *testing.T) {
	path := newDB(t)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		inStderr string
	}{
		{"missing file argument", nil, "", exitUsage, "takes 1 positional argument, got 0"},
		{"file not found", []string{"/nonexistent/numbers.csv"}, "", exitFail, "open inventory file: open /nonexistent/numbers.csv"},
		{"bad header", []string{"-"}, "E164\n+14155551111\n", exitFail, `line 1: unknown column "E164": column names are lower-case, write "e164"`},
		{"empty input", []string{"-"}, "", exitFail, "line 1: the file is empty"},
		{"unknown account", []string{"-"}, "e164,account_id,purchased_at\n+14155551111,acc_nobody,2026-01-01T00:00:00Z\n",
			exitFail, "nothing was imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"inventory", "import", "--db", path}, tt.args...)
			r := runCommand(t, nil, tt.stdin, args...)
			if r.code != tt.code {
				t.Errorf("exit code = %d, want %d", r.code, tt.code)
			}
			if !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.inStderr, r.stderr)
			}
		})
	}
}

// TestInventoryImportFromFIFO imports from a named pipe, which gives its
// data once: neither the progress count nor the search for a conflicting
// number may open it a second time.
func TestInventoryImportFromFIFO(t *testing.T) {
	path := newDB(t)
	fifo := filepath.Join(t.TempDir(), "numbers.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	feed := func(content string) {
		go func() {
			// Opening for writing waits for the import to open it for reading.
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			f.WriteString(content)
			f.Close()
		}()
	}

	feed("e164\n+14155551111\n+14155551112\n")
	out := mustRun(t, "", "inventory", "import", "--db", path, fifo)
	if out != "imported 2 numbers from "+fifo+"\n" {
		t.Errorf("stdout = %q", out)
	}

	feed("e164\n+14155551113\n+14155551111\n")
	r := runCommand(t, nil, "", "inventory", "import", "--db", path, fifo)
	want := "number +14155551111 already exists; remove the numbers already in the pool from the input"
	if r.code != exitFail || !strings.Contains(r.stderr, want) {
		t.Errorf("conflict: exit code %d, stderr does not contain %q:\n%s", r.code, want, r.stderr)
	}
}

// TestInventoryImportRepeatsPastIndex lists every repeat of a number that
// the store rejects after the numbers the importer indexes.
func TestInventoryImportRepeatsPastIndex(t *testing.T) {
	defer func(limit int) { inventory.MaxIndexedNumbers = limit }(inventory.MaxIndexedNumbers)
	inventory.MaxIndexedNumbers = 1
	path := newDB(t)
	file := writeFile(t, "e164\n+14155551111\n+14155551112\n+14155551112\n+14155551112\n")

	r := runCommand(t, nil, "", "inventory", "import", "--db", path, file)
	want := "line 4: duplicate number +14155551112: it is also on line 3\n" +
		"line 5: duplicate number +14155551112: it is also on line 3\n" +
		"numberpool: " + file + " has 2 problems, so nothing was imported: fix the lines above and run the import again\n"
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit code %d, stderr:\n%s\nwant:\n%s", r.code, r.stderr, want)
	}
}
