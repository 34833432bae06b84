package main

import (
	"flag"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// maxQuotedValue is how many characters of a bad value an error repeats, so
// that a huge argument or variable cannot flood standard error.
const maxQuotedValue = 40

// quoteValue returns s quoted for an error message, cut to maxQuotedValue
// characters and marked with "..." when it was longer.
func quoteValue(s string) string {
	count := 0
	for i := range s {
		if count == maxQuotedValue {
			return strconv.Quote(s[:i]) + "..."
		}
		count++
	}
	return strconv.Quote(s)
}

// checkedValue wraps the flag.Value of one flag so that an invalid value
// gives an error naming the flag, its environment variable and the value,
// whether it came from the command line or the environment.
type checkedValue struct {
	flag.Value
	names  string // "--flag/NUMBERPOOL_VAR", or "--flag" without a variable
	failed *error // the first invalid value's error, shared by a flag set
}

func (v *checkedValue) Set(s string) error {
	err := v.Value.Set(s)
	if err == nil && isIntValue(v.Value) && !isDecimal(s) {
		// The flag package reads an int with base prefixes and a plus sign,
		// so "0x10" and "+5" would pass.
		err = strconv.ErrSyntax
	}
	if err != nil {
		err = usageErrorf("invalid %s %s: %s", v.names, quoteValue(s), explainValueError(v.Value, err))
		if *v.failed == nil {
			*v.failed = err
		}
		return err
	}
	return nil
}

// String returns the wrapped value's text. The flag package's help output
// calls String on a zero checkedValue to learn the zero default, and that
// one has no wrapped value.
func (v *checkedValue) String() string {
	if v == nil || v.Value == nil {
		return ""
	}
	return v.Value.String()
}

// IsBoolFlag keeps "--demo" without a value working for a wrapped bool.
func (v *checkedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// explainValueError returns what value was expected. The flag package's own
// errors give only "parse error" or "value out of range", so for its types
// the expected form replaces them.
func explainValueError(value flag.Value, err error) string {
	getter, ok := value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch getter.Get().(type) {
	case int:
		return "expected a whole number, e.g. 30"
	case time.Duration:
		return "expected a duration with a unit, e.g. 90s, 30m or 4h"
	case bool:
		return "expected true or false"
	case *slog.Level:
		return "expected debug, info, warn or error"
	}
	return err.Error()
}

// checkValues wraps every flag of fs in a checkedValue that records the
// first invalid value's error in failed.
func checkValues(fs *flag.FlagSet, failed *error) {
	env := make(map[string]string, len(envVars))
	for _, ev := range envVars {
		env[ev.flag] = ev.env
	}
	fs.VisitAll(func(f *flag.Flag) {
		if _, done := f.Value.(*checkedValue); done {
			return
		}
		names := "--" + f.Name
		if name, ok := env[f.Name]; ok {
			names += "/" + name
		}
		f.Value = &checkedValue{Value: f.Value, names: names, failed: failed}
	})
}

// unwrapValue returns the flag.Value that checkValues wrapped.
func unwrapValue(v flag.Value) flag.Value {
	if cv, ok := v.(*checkedValue); ok {
		return cv.Value
	}
	return v
}

// quietWriter drops what the flag package writes after an invalid value,
// its error line and the whole usage text, because the command prints its
// own one-line error instead. Other output, such as the usage text after an
// unknown flag or -h, passes through.
type quietWriter struct {
	w      io.Writer
	failed *error
}

func (q quietWriter) Write(p []byte) (int, error) {
	if *q.failed != nil {
		return len(p), nil
	}
	return q.w.Write(p)
}

// isIntValue reports whether value is an int flag.
func isIntValue(value flag.Value) bool {
	getter, ok := value.(flag.Getter)
	if !ok {
		return false
	}
	_, isInt := getter.Get().(int)
	return isInt
}

// isDecimal reports whether s is one or more decimal digits, after a minus
// sign or not, so that a negative value gets the error of its range.
func isDecimal(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}

// parseDecimal parses s as isDecimal accepts it: strconv.Atoi alone would
// also take a plus sign.
func parseDecimal(s string) (int, error) {
	if !isDecimal(s) {
		return 0, strconv.ErrSyntax
	}
	return strconv.Atoi(s)
}

// plural returns n and the noun that agrees with it, such as "1 number" or
// "2 numbers".
func plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return strconv.Itoa(n) + " " + singular
	}
	return strconv.Itoa(n) + " " + pluralForm
}
