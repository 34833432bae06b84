// Package e2e tests the numberpool binary from outside: it builds
// ./cmd/numberpool, runs several "numberpool serve" processes on loopback
// ports against one throwaway PostgreSQL database, and checks what clients
// and the database see. It holds tests only.
package e2e
