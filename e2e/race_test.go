//go:build race

package e2e

// raceEnabled makes the test build the server binary with the race detector
// too, so that races inside the server processes fail the run.
const raceEnabled = true
