package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the numberpool executable that TestMain builds for every test.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "numberpool-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: create temporary directory:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "numberpool")
	code := 1
	if err := build(binary); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles ./cmd/numberpool of this module into output.
func build(output string) error {
	args := []string{"build", "-o", output}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "numberpool/cmd/numberpool")
	cmd := exec.Command("go", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %w\n%s", args, err, out)
	}
	return nil
}
