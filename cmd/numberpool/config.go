package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"numberpool"
	"numberpool/api"
)

// Config is the configuration that every command shares, filled from flags
// and NUMBERPOOL_* environment variables. A flag wins over its variable.
type Config struct {
	DB   string // SQLite file path, postgres:// URL or PostgreSQL key=value string
	Addr string // host:port the API listens on
	// MetricsAddr is the host:port of a listener that serves only
	// /metrics; empty serves /metrics on Addr with the API.
	MetricsAddr         string
	CoolingOffDays      int
	EarlyTerminationFee numberpool.Cents
	MinimumTermMonths   int
	PolicySpecs         []string // per country and type rules, resolved into Policies
	LogLevel            slog.Level
	LogFormat           string // text or json
	// MaxCallDuration is how long a call without an "ended" event keeps
	// blocking the release of its number.
	MaxCallDuration time.Duration
	SIPDomain       string // domain under which new trunks get their SIP domain

	// Policies is set by validate from the three defaults and PolicySpecs.
	Policies numberpool.Policies
}

func defaultConfig() Config {
	return Config{
		DB:                  "numberpool.db",
		Addr:                "127.0.0.1:8080",
		CoolingOffDays:      numberpool.DefaultPolicy.CoolingOffDays,
		EarlyTerminationFee: numberpool.DefaultPolicy.EarlyTerminationFee,
		MinimumTermMonths:   numberpool.DefaultPolicy.MinimumTermMonths,
		LogLevel:            slog.LevelInfo,
		LogFormat:           "text",
		MaxCallDuration:     numberpool.DefaultMaxCallDuration,
		SIPDomain:           api.DefaultSIPDomain,
	}
}

// envVars maps each configuration flag to its environment variable.
var envVars = []struct{ flag, env string }{
	{"db", "NUMBERPOOL_DB"},
	{"addr", "NUMBERPOOL_ADDR"},
	{"metrics-addr", "NUMBERPOOL_METRICS_ADDR"},
	{"cooling-off-days", "NUMBERPOOL_COOLING_OFF_DAYS"},
	{"early-termination-fee", "NUMBERPOOL_EARLY_TERMINATION_FEE"},
	{"minimum-term-months", "NUMBERPOOL_MINIMUM_TERM_MONTHS"},
	{"policy", "NUMBERPOOL_POLICIES"},
	{"log-level", "NUMBERPOOL_LOG_LEVEL"},
	{"log-format", "NUMBERPOOL_LOG_FORMAT"},
	{"max-call-duration", "NUMBERPOOL_MAX_CALL_DURATION"},
	{"sip-domain", "NUMBERPOOL_SIP_DOMAIN"},
}

// register adds the configuration flags to fs.
func (c *Config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "SQLite database file, postgres:// URL or PostgreSQL key=value string such as \"host=127.0.0.1 dbname=numberpool\" (env NUMBERPOOL_DB)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "host:port the HTTP API listens on (env NUMBERPOOL_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr,
		"host:port of a separate listener for /metrics only; empty serves /metrics with the API on --addr (env NUMBERPOOL_METRICS_ADDR)")
	fs.IntVar(&c.CoolingOffDays, "cooling-off-days", c.CoolingOffDays,
		"default cooling-off period of a released number, in days of 24 hours (env NUMBERPOOL_COOLING_OFF_DAYS)")
	fs.Var((*centsValue)(&c.EarlyTerminationFee), "early-termination-fee",
		"default early termination fee in USD, e.g. 25.00 (env NUMBERPOOL_EARLY_TERMINATION_FEE)")
	fs.IntVar(&c.MinimumTermMonths, "minimum-term-months", c.MinimumTermMonths,
		"default minimum term in calendar months; an earlier release owes the fee (env NUMBERPOOL_MINIMUM_TERM_MONTHS)")
	fs.Var(&policyValue{specs: &c.PolicySpecs}, "policy",
		"rules per country and number type, separated by ';', e.g. US/toll_free:cooling_off_days=45; may be repeated (env NUMBERPOOL_POLICIES)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error (env NUMBERPOOL_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env NUMBERPOOL_LOG_FORMAT)")
	fs.DurationVar(&c.MaxCallDuration, "max-call-duration", c.MaxCallDuration,
		"how long a call without an ended event blocks the release of its number, e.g. 4h (env NUMBERPOOL_MAX_CALL_DURATION)")
	fs.StringVar(&c.SIPDomain, "sip-domain", c.SIPDomain,
		"domain under which new trunks get their SIP domain, e.g. sip.example.com (env NUMBERPOOL_SIP_DOMAIN)")
}

// applyEnv sets the flags of fs from the environment. It runs before the
// command line is parsed, so that a flag given there wins.
func applyEnv(fs *flag.FlagSet, getenv func(string) (string, bool)) error {
	for _, ev := range envVars {
		value, ok := getenv(ev.env)
		if !ok {
			continue
		}
		f := fs.Lookup(ev.flag)
		if err := f.Value.Set(value); err != nil {
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			return usageErrorf("invalid --%s/%s %s: %v", ev.flag, ev.env, quoteValue(value), err)
		}
		if pv, ok := unwrapValue(f.Value).(*policyValue); ok {
			pv.fromEnv = true
		}
	}
	return nil
}

// validate checks every value and resolves the policies. Its errors name
// the flag and the environment variable that set the bad value.
func (c *Config) validate() error {
	var errs []error
	if _, err := parseDB(c.DB); err != nil {
		errs = append(errs, err)
	}
	if err := validateAddr(c.Addr); err != nil {
		errs = append(errs, usageErrorf("invalid --addr/NUMBERPOOL_ADDR %q: %v", c.Addr, err))
	}
	if c.MetricsAddr != "" {
		if err := validateAddr(c.MetricsAddr); err != nil {
			errs = append(errs, usageErrorf("invalid --metrics-addr/NUMBERPOOL_METRICS_ADDR %q: %v", c.MetricsAddr, err))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, usageErrorf("invalid --log-format/NUMBERPOOL_LOG_FORMAT %q: expected text or json", c.LogFormat))
	}
	errs = append(errs, validateRouting(c.MaxCallDuration, c.SIPDomain)...)

	def := numberpool.Policy{
		EarlyTerminationFee: c.EarlyTerminationFee,
		MinimumTermMonths:   c.MinimumTermMonths,
		CoolingOffDays:      c.CoolingOffDays,
	}
	errs = append(errs, validateDefaults(def)...)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	rules, err := parsePolicies(c.PolicySpecs, def)
	if err != nil {
		return err
	}
	c.Policies = numberpool.Policies{Default: def, Rules: rules}
	return nil
}

// validateDefaults checks each field of the default policy on its own, so
// that every error names the flag that set the field.
func validateDefaults(def numberpool.Policy) []error {
	fields := []struct {
		name   string
		policy numberpool.Policy
	}{
		{"--cooling-off-days/NUMBERPOOL_COOLING_OFF_DAYS", numberpool.Policy{CoolingOffDays: def.CoolingOffDays}},
		{"--minimum-term-months/NUMBERPOOL_MINIMUM_TERM_MONTHS", numberpool.Policy{MinimumTermMonths: def.MinimumTermMonths}},
		{"--early-termination-fee/NUMBERPOOL_EARLY_TERMINATION_FEE", numberpool.Policy{EarlyTerminationFee: def.EarlyTerminationFee}},
	}
	var errs []error
	for _, f := range fields {
		if err := f.policy.Validate(); err != nil {
			errs = append(errs, usageErrorf("invalid %s: %v", f.name, err))
		}
	}
	return errs
}

func validateAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("expected host:port, e.g. 127.0.0.1:8080")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port %q: expected 0 to 65535", port)
	}
	return nil
}

// newLogger returns the logger of the configured level and format, writing
// to w.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// centsValue is a flag.Value for an amount of money such as 25.00.
type centsValue numberpool.Cents

func (v *centsValue) String() string { return numberpool.Cents(*v).String() }

func (v *centsValue) Set(s string) error {
	c, err := numberpool.ParseCents(s)
	if err != nil {
		// The error of ParseCents repeats the value, which the caller quotes.
		return errors.New("expected a non-negative amount in USD with at most two decimals, e.g. 25.00")
	}
	*v = centsValue(c)
	return nil
}

// policyValue collects the --policy flags. Each flag adds its rules, except
// that the first flag on the command line replaces the rules of
// NUMBERPOOL_POLICIES.
type policyValue struct {
	specs   *[]string
	fromEnv bool
}

func (v *policyValue) String() string {
	if v.specs == nil {
		return ""
	}
	return strings.Join(*v.specs, ";")
}

func (v *policyValue) Set(s string) error {
	if v.fromEnv {
		*v.specs = nil
		v.fromEnv = false
	}
	for spec := range strings.SplitSeq(s, ";") {
		if spec = strings.TrimSpace(spec); spec != "" {
			*v.specs = append(*v.specs, spec)
		}
	}
	return nil
}
