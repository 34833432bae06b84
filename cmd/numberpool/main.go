// Command numberpool runs the phone-number pool: the HTTP API (serve), the
// database migrations (migrate) and the operator commands that create
// accounts and API keys and import numbers from CSV files.
//
// Results go to standard output and logs and errors to standard error. The
// exit code is 0 on success, 1 on failure and 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"numberpool"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usageText = `numberpool runs the phone-number pool service and its operator commands.

Usage:
  numberpool serve [--demo] [flags]           serve the HTTP API
  numberpool migrate [flags]                  apply pending database migrations
  numberpool accounts create [--id ID]        create an account and print its id
  numberpool keys create --account ID         create a live API key and print it
  numberpool inventory import [flags] FILE    import numbers from a CSV file (- for stdin)
  numberpool inventory check [flags]          list stored numbers not in E.164 form or of no country
  numberpool holds place --number E164|--account ID --kind KIND --reason TEXT
                                              hold a number or all of an account's numbers
  numberpool holds lift --number E164|--account ID --kind KIND
                                              lift a hold
  numberpool holds list --account ID          list the holds in force on an account
  numberpool sweep [flags]                    return every cooled-off number to the pool once

Run "numberpool COMMAND -h" for the flags of a command. Every command takes the
configuration flags, and each of them can also be set by its NUMBERPOOL_*
environment variable; a flag wins over its variable.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.LookupEnv,
		clock:  numberpool.SystemClock{},
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// app is one run of the command with its environment, so that tests can run
// commands in-process with their own streams, variables and clock.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) (string, bool)
	clock  numberpool.Clock
}

// command is one subcommand: it parses its own arguments.
type command func(ctx context.Context, a *app, args []string) error

// run runs the command named by args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usageText)
		return exitUsage
	}
	cmd, rest, err := lookupCommand(args)
	if err == nil {
		err = cmd(ctx, a, rest)
	}
	return a.exitCode(err)
}

func lookupCommand(args []string) (command, []string, error) {
	switch args[0] {
	case "serve":
		return runServe, args[1:], nil
	case "migrate":
		return runMigrate, args[1:], nil
	case "sweep":
		return runSweep, args[1:], nil
	case "help", "-h", "-help", "--help":
		return runHelp, nil, nil
	}

	twoWords := map[string]command{
		"accounts create":  runAccountsCreate,
		"keys create":      runKeysCreate,
		"inventory import": runInventoryImport,
		"inventory check":  runInventoryCheck,
		"holds place":      runHoldsPlace,
		"holds lift":       runHoldsLift,
		"holds list":       runHoldsList,
	}
	if len(args) >= 2 {
		if cmd, ok := twoWords[args[0]+" "+args[1]]; ok {
			return cmd, args[2:], nil
		}
	}
	return nil, nil, usageErrorf("unknown command %q: expected serve, migrate, sweep, accounts create, keys create, inventory import|check or holds place|lift|list; run numberpool help",
		strings.Join(args[:min(2, len(args))], " "))
}

func runHelp(_ context.Context, a *app, _ []string) error {
	fmt.Fprint(a.stdout, usageText)
	return nil
}

// exitCode prints err, if any, on one line of standard error and returns
// the exit code it stands for.
func (a *app) exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitFail
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "numberpool: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(a.stderr, "numberpool: %s\n", errorText(err))
	return exitFail
}

// errorText returns the message of a domain error followed by its cause,
// without the code that only API clients need, or the text of any other
// error.
func errorText(err error) string {
	e, ok := err.(*numberpool.Error)
	if !ok {
		return err.Error()
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

// usageError is an invalid command line or configuration: the exit code is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errReported is returned by a command that has already printed its errors,
// such as the lines of an inventory file.
var errReported = errors.New("failure already reported")

// flagSet is the flag set of one command with its usage line.
type flagSet struct {
	*flag.FlagSet
	usage  string
	failed *error // the error of the first invalid flag value, see checkValues
}

// newFlagSet returns a flag set for a command that takes the configuration
// flags. Its errors come back from Parse instead of exiting.
func (a *app) newFlagSet(name, usage string, cfg *Config) flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	failed := new(error)
	fs.SetOutput(quietWriter{w: a.stderr, failed: failed})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: numberpool %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	cfg.register(fs)
	return flagSet{FlagSet: fs, usage: usage, failed: failed}
}

// parse fills cfg from the environment and args, in that order, validates it
// and checks the count of positional arguments.
func (a *app) parse(fs flagSet, cfg *Config, args []string, positional int) error {
	checkValues(fs.FlagSet, fs.failed)
	if err := applyEnv(fs.FlagSet, a.getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		if *fs.failed != nil {
			return *fs.failed
		}
		// The flag package has printed the error and the usage already.
		return usageErrorf("invalid arguments of numberpool %s: %v", fs.Name(), err)
	}
	if fs.NArg() != positional {
		return usageErrorf("numberpool %s takes %s, got %d %q: usage: numberpool %s",
			fs.Name(), plural(positional, "positional argument", "positional arguments"), fs.NArg(), fs.Args(), fs.usage)
	}
	return cfg.validate()
}
