package postgres

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrInvalidConnString is wrapped by the errors of Open, OpenNoMigrate,
// OpenForMigration and ValidateConnString for a connection string that pgx
// cannot parse. Such an error is a configuration mistake: retrying cannot
// cure it.
var ErrInvalidConnString = errors.New("invalid PostgreSQL connection string")

// ValidateConnString checks that pgx can parse connString, a postgres:// URL
// or a key=value string, without connecting. The text of its error never
// contains the password.
func ValidateConnString(connString string) error {
	_, err := parseConfig(connString)
	return err
}

func parseConfig(connString string) (*pgxpool.Config, error) {
	config, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx v5.13 redacts passwords in its parse errors only as well as it
		// can parse the string, so the password is also removed by value.
		return nil, fmt.Errorf("%w: %s", ErrInvalidConnString, Redact(err.Error(), connString))
	}
	return config, nil
}

// redacted replaces a password in text.
const redacted = "xxxxx"

var (
	// urlPassword finds the password of a URL that net/url cannot parse:
	// everything between the first ':' of the user information and its
	// last '@'.
	urlPassword = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^:@/]*:(.*)@`)
	// keyValuePassword finds the value of password= in a key=value string,
	// quoted or not.
	keyValuePassword = regexp.MustCompile(`(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)
)

// Redact returns text with every copy of the password of connString
// replaced, in the forms that messages may quote it: as written, unquoted
// and percent-decoded. Callers pass every message that may repeat a
// connection string through it.
func Redact(text, connString string) string {
	for _, pw := range passwords(connString) {
		if pw != "" {
			text = strings.ReplaceAll(text, pw, redacted)
		}
	}
	return text
}

// passwords returns the forms of the password that connString carries,
// longest first so that a shorter form never leaves part of a longer one.
func passwords(connString string) []string {
	var found []string
	if u, err := url.Parse(connString); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			found = append(found, pw)
		}
	}
	if m := urlPassword.FindStringSubmatch(connString); m != nil {
		found = append(found, m[1])
		if decoded, err := url.PathUnescape(m[1]); err == nil {
			found = append(found, decoded)
		}
	}
	for _, m := range keyValuePassword.FindAllStringSubmatch(connString, -1) {
		found = append(found, m[1])
		if unquoted, ok := strings.CutPrefix(m[1], "'"); ok {
			unquoted = strings.TrimSuffix(unquoted, "'")
			found = append(found, unquoted, strings.ReplaceAll(unquoted, `\'`, "'"))
		}
	}

	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) })
	return found
}
