package main

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"numberpool"
)

// policySyntax shows the form of one policy rule in error messages.
const policySyntax = "COUNTRY[/TYPE]:key=value,... or */TYPE:key=value,..., " +
	"e.g. US/toll_free:cooling_off_days=45,minimum_term_months=3,early_termination_fee=25.00"

// parsePolicies parses rules such as
// "US/toll_free:cooling_off_days=45,early_termination_fee=25.00". A rule
// selects a country (ISO 3166-1 alpha-2), a country and a number type, or a
// number type in every country ("*/mobile"). Each setting that a rule leaves
// out keeps its value from def.
func parsePolicies(specs []string, def numberpool.Policy) ([]numberpool.PolicyRule, error) {
	var rules []numberpool.PolicyRule
	seen := map[string]bool{}
	for _, spec := range specs {
		rule, err := parsePolicy(spec, def)
		if err != nil {
			return nil, usageErrorf("invalid --policy/NUMBERPOOL_POLICIES rule %q: %v", spec, err)
		}

		selector := rule.Country + "/" + string(rule.Type)
		if seen[selector] {
			return nil, usageErrorf("invalid --policy/NUMBERPOOL_POLICIES rule %q: another rule has the same country and type; merge the two", spec)
		}
		seen[selector] = true
		rules = append(rules, rule)
	}
	return rules, nil
}

func parsePolicy(spec string, def numberpool.Policy) (numberpool.PolicyRule, error) {
	selector, settings, ok := strings.Cut(spec, ":")
	if !ok || strings.TrimSpace(settings) == "" {
		return numberpool.PolicyRule{}, fmt.Errorf("expected %s", policySyntax)
	}

	rule, err := parseSelector(strings.TrimSpace(selector))
	if err != nil {
		return numberpool.PolicyRule{}, err
	}
	rule.Policy, err = parseSettings(settings, def)
	if err != nil {
		return numberpool.PolicyRule{}, err
	}
	if err := rule.Policy.Validate(); err != nil {
		return numberpool.PolicyRule{}, err
	}
	return rule, nil
}

func parseSelector(selector string) (numberpool.PolicyRule, error) {
	country, typeText, hasType := strings.Cut(selector, "/")

	var rule numberpool.PolicyRule
	if country != "*" {
		if len(country) != 2 || strings.ToUpper(country) != country || phonenumbers.GetCountryCodeForRegion(country) == 0 {
			return rule, fmt.Errorf("unknown country %q: expected an upper-case ISO 3166-1 alpha-2 code such as US or GB, or * for every country", country)
		}
		rule.Country = country
	}
	if hasType {
		t, err := numberpool.ParseNumberType(typeText)
		if err != nil {
			return rule, fmt.Errorf("unknown number type %q: expected local, mobile or toll_free", typeText)
		}
		rule.Type = t
	}
	if rule.Country == "" && rule.Type == "" {
		return rule, fmt.Errorf("the selector %q matches every number: set the defaults with --cooling-off-days, --minimum-term-months and --early-termination-fee instead", selector)
	}
	return rule, nil
}

func parseSettings(settings string, def numberpool.Policy) (numberpool.Policy, error) {
	p := def
	seen := map[string]bool{}
	for setting := range strings.SplitSeq(settings, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(setting), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || value == "" {
			return p, fmt.Errorf("invalid setting %q: expected key=value, e.g. cooling_off_days=45", setting)
		}
		if seen[key] {
			return p, fmt.Errorf("setting %s is given twice", key)
		}
		seen[key] = true

		if err := setPolicyField(&p, key, value); err != nil {
			return p, err
		}
	}
	return p, nil
}

func setPolicyField(p *numberpool.Policy, key, value string) error {
	var err error
	switch key {
	case "cooling_off_days":
		p.CoolingOffDays, err = parseDecimal(value)
	case "minimum_term_months":
		p.MinimumTermMonths, err = parseDecimal(value)
	case "early_termination_fee":
		p.EarlyTerminationFee, err = numberpool.ParseCents(value)
		if err != nil {
			return fmt.Errorf("early_termination_fee: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("unknown setting %q: expected cooling_off_days, minimum_term_months or early_termination_fee", key)
	}
	if err != nil {
		return fmt.Errorf("invalid %s %q: expected a whole number", key, value)
	}
	return nil
}
