package main

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// parseConfig parses args and env as a command with no positional
// arguments does.
func parseConfig(tb testing.TB, env map[string]string, args ...string) (Config, error) {
	tb.Helper()
	a := &app{
		stderr: io.Discard,
		getenv: func(name string) (string, bool) {
			v, ok := env[name]
			return v, ok
		},
	}
	cfg := defaultConfig()
	fs := a.newFlagSet("serve", "serve [flags]", &cfg)
	err := a.parse(fs, &cfg, args, 0)
	return cfg, err
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DB:                  "numberpool.db",
		Addr:                "127.0.0.1:8080",
		CoolingOffDays:      30,
		EarlyTerminationFee: 2500,
		MinimumTermMonths:   3,
		LogLevel:            slog.LevelInfo,
		LogFormat:           "text",
		MaxCallDuration:     4 * time.Hour,
		SIPDomain:           "sip.tryvox.io",
		Policies:            numberpool.Policies{Default: numberpool.DefaultPolicy},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := map[string]string{
		"NUMBERPOOL_DB":                    "/var/lib/numberpool/pool.db",
		"NUMBERPOOL_ADDR":                  "0.0.0.0:9000",
		"NUMBERPOOL_COOLING_OFF_DAYS":      "45",
		"NUMBERPOOL_EARLY_TERMINATION_FEE": "10.50",
		"NUMBERPOOL_MINIMUM_TERM_MONTHS":   "1",
		"NUMBERPOOL_POLICIES":              "US/toll_free:cooling_off_days=90",
		"NUMBERPOOL_LOG_LEVEL":             "debug",
		"NUMBERPOOL_LOG_FORMAT":            "json",
		"NUMBERPOOL_MAX_CALL_DURATION":     "90m",
		"NUMBERPOOL_SIP_DOMAIN":            "sip.example.com",
	}
	cfg, err := parseConfig(t, env)
	if err != nil {
		t.Fatal(err)
	}

	def := numberpool.Policy{EarlyTerminationFee: 1050, MinimumTermMonths: 1, CoolingOffDays: 45}
	want := Config{
		DB:                  "/var/lib/numberpool/pool.db",
		Addr:                "0.0.0.0:9000",
		CoolingOffDays:      45,
		EarlyTerminationFee: 1050,
		MinimumTermMonths:   1,
		PolicySpecs:         []string{"US/toll_free:cooling_off_days=90"},
		LogLevel:            slog.LevelDebug,
		LogFormat:           "json",
		MaxCallDuration:     90 * time.Minute,
		SIPDomain:           "sip.example.com",
		Policies: numberpool.Policies{Default: def, Rules: []numberpool.PolicyRule{
			{Country: "US", Type: numberpool.TypeTollFree, Policy: numberpool.Policy{EarlyTerminationFee: 1050, MinimumTermMonths: 1, CoolingOffDays: 90}},
		}},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
}

func TestConfigFlagWinsOverEnvironment(t *testing.T) {
	env := map[string]string{
		"NUMBERPOOL_DB":               "env.db",
		"NUMBERPOOL_COOLING_OFF_DAYS": "45",
		"NUMBERPOOL_POLICIES":         "US:cooling_off_days=60",
	}
	cfg, err := parseConfig(t, env, "--db", "flag.db", "--cooling-off-days", "10",
		"--policy", "GB:cooling_off_days=20", "--policy", "*/mobile:minimum_term_months=0")
	if err != nil {
		t.Fatal(err)
	}

	if cfg.DB != "flag.db" {
		t.Errorf("DB = %q, want flag.db", cfg.DB)
	}
	if cfg.CoolingOffDays != 10 {
		t.Errorf("CoolingOffDays = %d, want 10", cfg.CoolingOffDays)
	}
	want := []string{"GB:cooling_off_days=20", "*/mobile:minimum_term_months=0"}
	if diff := cmp.Diff(want, cfg.PolicySpecs); diff != "" {
		t.Errorf("policy specs mismatch (-want +got):\n%s", diff)
	}
}

func TestConfigPolicies(t *testing.T) {
	def := numberpool.DefaultPolicy
	tests := []struct {
		name string
		spec string
		want []numberpool.PolicyRule
	}{
		{"country and type", "US/toll_free:cooling_off_days=45,minimum_term_months=4,early_termination_fee=30.00",
			[]numberpool.PolicyRule{{Country: "US", Type: numberpool.TypeTollFree,
				Policy: numberpool.Policy{EarlyTerminationFee: 3000, MinimumTermMonths: 4, CoolingOffDays: 45}}}},
		{"unset fields inherit", "US:cooling_off_days=45",
			[]numberpool.PolicyRule{{Country: "US", Policy: numberpool.Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 45}}}},
		{"type in every country", "*/mobile:early_termination_fee=0",
			[]numberpool.PolicyRule{{Type: numberpool.TypeMobile, Policy: numberpool.Policy{MinimumTermMonths: 3, CoolingOffDays: 30}}}},
		{"several with spaces", " US/local:cooling_off_days=45 ; GB : minimum_term_months = 1 ;",
			[]numberpool.PolicyRule{
				{Country: "US", Type: numberpool.TypeLocal, Policy: numberpool.Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 45}},
				{Country: "GB", Policy: numberpool.Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 1, CoolingOffDays: 30}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(t, nil, "--policy", tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			want := numberpool.Policies{Default: def, Rules: tt.want}
			if diff := cmp.Diff(want, cfg.Policies); diff != "" {
				t.Errorf("policies mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigPolicyInheritsConfiguredDefault(t *testing.T) {
	// The rule comes before the default on the command line, and still
	// inherits the fee set after it.
	cfg, err := parseConfig(t, nil, "--policy", "US:cooling_off_days=45", "--early-termination-fee", "5")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Policies.For("US", numberpool.TypeLocal).EarlyTerminationFee; got != 500 {
		t.Errorf("fee of the US rule = %s, want 5.00", got)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"env days", map[string]string{"NUMBERPOOL_COOLING_OFF_DAYS": "thirty"}, nil,
			`invalid --cooling-off-days/NUMBERPOOL_COOLING_OFF_DAYS "thirty": expected a whole number, e.g. 30`},
		{"days with a plus sign", map[string]string{"NUMBERPOOL_COOLING_OFF_DAYS": "+30"}, nil,
			`invalid --cooling-off-days/NUMBERPOOL_COOLING_OFF_DAYS "+30": expected a whole number, e.g. 30`},
		{"term in hexadecimal", nil, []string{"--minimum-term-months", "0x3"},
			`invalid --minimum-term-months/NUMBERPOOL_MINIMUM_TERM_MONTHS "0x3": expected a whole number, e.g. 30`},
		{"env fee", map[string]string{"NUMBERPOOL_EARLY_TERMINATION_FEE": "25.001"}, nil,
			`invalid --early-termination-fee/NUMBERPOOL_EARLY_TERMINATION_FEE "25.001": expected a non-negative amount in USD with at most two decimals, e.g. 25.00`},
		{"flag fee", nil, []string{"--early-termination-fee", "$25"},
			`invalid --early-termination-fee/NUMBERPOOL_EARLY_TERMINATION_FEE "$25": expected a non-negative amount`},
		{"days out of range", nil, []string{"--cooling-off-days", "-1"},
			"invalid --cooling-off-days/NUMBERPOOL_COOLING_OFF_DAYS: invalid cooling-off period of -1 days: expected 0 to 3650"},
		{"term out of range", map[string]string{"NUMBERPOOL_MINIMUM_TERM_MONTHS": "1000"}, nil,
			"invalid --minimum-term-months/NUMBERPOOL_MINIMUM_TERM_MONTHS: invalid minimum term of 1000 months: expected 0 to 120"},
		{"addr", nil, []string{"--addr", "8080"},
			`invalid --addr/NUMBERPOOL_ADDR "8080": expected host:port, e.g. 127.0.0.1:8080`},
		{"port", nil, []string{"--addr", "127.0.0.1:http"},
			`invalid --addr/NUMBERPOOL_ADDR "127.0.0.1:http": invalid port "http": expected 0 to 65535`},
		{"empty db", map[string]string{"NUMBERPOOL_DB": ""}, nil,
			"invalid --db/NUMBERPOOL_DB: it is empty; give a SQLite file path, a postgres:// or postgresql:// URL"},
		{"log format", nil, []string{"--log-format", "xml"},
			`invalid --log-format/NUMBERPOOL_LOG_FORMAT "xml": expected text or json`},
		{"log level", map[string]string{"NUMBERPOOL_LOG_LEVEL": "loud"}, nil,
			`invalid --log-level/NUMBERPOOL_LOG_LEVEL "loud": expected debug, info, warn or error`},
		{"policy country", nil, []string{"--policy", "UK:cooling_off_days=45"},
			`invalid --policy/NUMBERPOOL_POLICIES rule "UK:cooling_off_days=45": unknown country "UK": expected an upper-case ISO 3166-1 alpha-2 code such as US or GB, or * for every country`},
		{"policy lower-case country", nil, []string{"--policy", "us:cooling_off_days=45"},
			`unknown country "us"`},
		{"policy type", nil, []string{"--policy", "US/tollfree:cooling_off_days=45"},
			`unknown number type "tollfree": expected local, mobile or toll_free`},
		{"policy every number", nil, []string{"--policy", "*:cooling_off_days=45"},
			`the selector "*" matches every number`},
		{"policy without settings", nil, []string{"--policy", "US"},
			"expected COUNTRY[/TYPE]:key=value,..."},
		{"policy unknown setting", nil, []string{"--policy", "US:cooling_days=45"},
			`unknown setting "cooling_days": expected cooling_off_days, minimum_term_months or early_termination_fee`},
		{"policy repeated setting", nil, []string{"--policy", "US:cooling_off_days=45,cooling_off_days=40"},
			"setting cooling_off_days is given twice"},
		{"policy bad number", nil, []string{"--policy", "US:minimum_term_months=three"},
			`invalid minimum_term_months "three": expected a whole number`},
		{"policy number with a plus sign", nil, []string{"--policy", "US:cooling_off_days=+45"},
			`invalid cooling_off_days "+45": expected a whole number`},
		{"policy bad fee", nil, []string{"--policy", "US:early_termination_fee=1.234"},
			`early_termination_fee: invalid amount "1.234"`},
		{"policy out of range", nil, []string{"--policy", "US:cooling_off_days=4000"},
			"invalid cooling-off period of 4000 days: expected 0 to 3650"},
		{"policy same selector", map[string]string{"NUMBERPOOL_POLICIES": "US:cooling_off_days=45;US:minimum_term_months=1"}, nil,
			`rule "US:minimum_term_months=1": another rule has the same country and type; merge the two`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(t, tt.env, tt.args...)
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("error = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestConfigErrorExitCode(t *testing.T) {
	r := runCommand(t, map[string]string{"NUMBERPOOL_COOLING_OFF_DAYS": "-5"}, "", "migrate")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	want := "numberpool: invalid --cooling-off-days/NUMBERPOOL_COOLING_OFF_DAYS: invalid cooling-off period of -5 days: expected 0 to 3650\n"
	if diff := cmp.Diff(want, r.stderr); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

// TestConfigBadValueEveryFlag gives each configuration flag a bad value, on
// the command line and in its variable, and checks the one-line error.
func TestConfigBadValueEveryFlag(t *testing.T) {
	bad := map[string]string{
		"db":                    "mysql://x", // only the scheme is quoted, because a URL may carry a password
		"addr":                  "8080",
		"metrics-addr":          "9090",
		"cooling-off-days":      "1.5",
		"early-termination-fee": "25.005",
		"minimum-term-months":   "abc",
		"policy":                "US",
		"log-level":             "verbose",
		"log-format":            "xml",
		"max-call-duration":     "abc",
		"sip-domain":            "not a domain",
	}
	for _, ev := range envVars {
		value, ok := bad[ev.flag]
		if !ok {
			t.Errorf("no bad value for --%s", ev.flag)
			continue
		}
		for _, source := range []string{"flag", "env"} {
			t.Run(ev.flag+"/"+source, func(t *testing.T) {
				var r result
				if source == "flag" {
					r = runCommand(t, nil, "", "migrate", "--"+ev.flag, value)
				} else {
					r = runCommand(t, map[string]string{ev.env: value}, "", "migrate")
				}
				checkBadValueError(t, r, "--"+ev.flag+"/"+ev.env, value)
			})
		}
	}
}

func checkBadValueError(tb testing.TB, r result, names, value string) {
	tb.Helper()
	if r.code != exitUsage {
		tb.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, names) {
		tb.Errorf("stderr does not name %s:\n%s", names, r.stderr)
	}
	if !strings.Contains(r.stderr, strings.TrimSuffix(value, "://x")) {
		tb.Errorf("stderr does not quote the value %q:\n%s", value, r.stderr)
	}
	if strings.Contains(r.stderr, "Usage:") {
		tb.Errorf("stderr shows the usage text:\n%s", r.stderr)
	}
	if lines := strings.Count(r.stderr, "\n"); lines != 1 {
		tb.Errorf("stderr has %d lines, want 1:\n%s", lines, r.stderr)
	}
}

func TestConfigUnknownFlagShowsUsage(t *testing.T) {
	r := runCommand(t, nil, "", "migrate", "--no-such-flag")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, "Usage: numberpool migrate") {
		t.Errorf("stderr does not show the usage text:\n%s", r.stderr)
	}
}

func TestConfigLongValueIsCut(t *testing.T) {
	long := strings.Repeat("9", 10000)
	r := runCommand(t, map[string]string{"NUMBERPOOL_COOLING_OFF_DAYS": long}, "", "migrate")
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, `"`+strings.Repeat("9", maxQuotedValue)+`"...`) {
		t.Errorf("stderr does not show the cut value:\n%.200s", r.stderr)
	}
	if len(r.stderr) > 500 {
		t.Errorf("stderr has %d bytes, want the value cut", len(r.stderr))
	}
}

// TestHelpListsFlagsWithoutPanic checks -h of every command that takes
// configuration flags, because the help output formats each flag's zero value.
func TestHelpListsFlagsWithoutPanic(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"sweep", "-h"}} {
		t.Run(args[0], func(t *testing.T) {
			r := runCommand(t, nil, "", args...)
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("help output contains a panic:\n%s", r.stderr)
			}
			if !strings.Contains(r.stderr, "-db") {
				t.Errorf("help output does not list --db:\n%s", r.stderr)
			}
		})
	}
}

func TestServeRejectsSweepBatchBelowOne(t *testing.T) {
	for _, value := range []string{"0", "-5"} {
		r := runCommand(t, nil, "", "serve", "--db", filepath.Join(t.TempDir(), "np.db"), "--sweep-batch", value)
		if r.code != exitUsage {
			t.Errorf("--sweep-batch %s: exit code = %d, want %d", value, r.code, exitUsage)
		}
		if !strings.Contains(r.stderr, "invalid --sweep-batch "+value) {
			t.Errorf("--sweep-batch %s: stderr = %q", value, r.stderr)
		}
	}
}
