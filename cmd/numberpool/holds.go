package main

import (
	"context"
	"fmt"
	"time"

	"numberpool"
)

// Bounds of --max-call-duration. They catch unit mistakes: no real call
// ends within seconds of starting as a rule, and a week without an "ended"
// event means the event was lost.
const (
	minMaxCallDuration = time.Minute
	maxMaxCallDuration = 7 * 24 * time.Hour
)

// validateRouting checks the settings of calls and trunks.
func validateRouting(maxCallDuration time.Duration, sipDomain string) []error {
	var errs []error
	if maxCallDuration < minMaxCallDuration || maxCallDuration > maxMaxCallDuration {
		errs = append(errs, usageErrorf("invalid --max-call-duration/NUMBERPOOL_MAX_CALL_DURATION %s: expected %s to %s, e.g. 4h",
			maxCallDuration, minMaxCallDuration, maxMaxCallDuration))
	}
	if err := numberpool.ValidateSIPDomain(sipDomain); err != nil {
		errs = append(errs, usageErrorf("invalid --sip-domain/NUMBERPOOL_SIP_DOMAIN: %s", errorText(err)))
	}
	return errs
}

// holdFlags are the flags that name where a hold is and of what kind.
type holdFlags struct {
	number  *string
	account *string
	kind    *string
}

func addHoldFlags(fs flagSet) holdFlags {
	return holdFlags{
		number:  fs.String("number", "", "E.164 number to hold, e.g. +14155551234 (or --account)"),
		account: fs.String("account", "", "account whose numbers all to hold, e.g. acc_123abc (or --number)"),
		kind:    fs.String("kind", "", "kind of hold: billing, port_out or legal (required)"),
	}
}

// parse validates the flags: exactly one of --number and --account, and a
// known kind.
func (f holdFlags) parse() (e164, accountID string, kind numberpool.HoldKind, err error) {
	switch {
	case *f.number == "" && *f.account == "":
		return "", "", "", usageErrorf("missing --number or --account: give the number to hold, e.g. --number +14155551234, or the account, e.g. --account acc_123abc")
	case *f.number != "" && *f.account != "":
		return "", "", "", usageErrorf("give either --number or --account, not both")
	case *f.number != "":
		if err := numberpool.ValidateE164("number", *f.number); err != nil {
			return "", "", "", usageErrorf("invalid --number: %s", errorText(err))
		}
	default:
		if err := numberpool.ValidateAccountID(*f.account); err != nil {
			return "", "", "", usageErrorf("invalid --account: %s", errorText(err))
		}
	}

	kind, err = numberpool.ParseHoldKind(*f.kind)
	if err != nil {
		return "", "", "", usageErrorf("invalid --kind %q: expected billing, port_out or legal", *f.kind)
	}
	return *f.number, *f.account, kind, nil
}

func runHoldsPlace(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("holds place", "holds place --number E164|--account ID --kind billing|port_out|legal --reason TEXT [flags]", &cfg)
	where := addHoldFlags(fs)
	reason := fs.String("reason", "", "why the hold is placed, shown to the account in the number object (required)")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	e164, accountID, kind, err := where.parse()
	if err != nil {
		return err
	}
	if err := numberpool.ValidateHoldReason(*reason); err != nil {
		return usageErrorf("invalid --reason: %s", errorText(err))
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	h, err := store.PlaceHold(ctx, numberpool.Hold{AccountID: accountID, E164: e164, Kind: kind, Reason: *reason})
	if err != nil {
		return fmt.Errorf("place %s hold: %w", kind, err)
	}
	fmt.Fprintf(a.stdout, "%s hold placed on %s\n", h.Kind, describeHold(h))
	return nil
}

func runHoldsLift(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("holds lift", "holds lift --number E164|--account ID --kind billing|port_out|legal [flags]", &cfg)
	where := addHoldFlags(fs)
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	e164, accountID, kind, err := where.parse()
	if err != nil {
		return err
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	h, err := store.LiftHold(ctx, accountID, e164, kind)
	if err != nil {
		return fmt.Errorf("lift %s hold: %w", kind, err)
	}
	fmt.Fprintf(a.stdout, "%s hold lifted from %s\n", h.Kind, describeHold(h))
	return nil
}

func runHoldsList(ctx context.Context, a *app, args []string) error {
	cfg := defaultConfig()
	fs := a.newFlagSet("holds list", "holds list --account ID [flags]", &cfg)
	accountID := fs.String("account", "", "account whose holds to list, e.g. acc_123abc (required)")
	if err := a.parse(fs, &cfg, args, 0); err != nil {
		return err
	}
	if err := numberpool.ValidateAccountID(*accountID); err != nil {
		return usageErrorf("invalid --account: %s", errorText(err))
	}

	store, err := openStore(ctx, cfg, a.storeDeps(cfg), false)
	if err != nil {
		return err
	}
	defer store.Close()

	// ListHolds returns no holds for an unknown account, which must not
	// read as an account without holds.
	if _, err := store.GetAccount(ctx, *accountID); err != nil {
		if numberpool.IsCode(err, numberpool.CodeNotFound) {
			return fmt.Errorf("account %s not found: check the id, or create it with numberpool accounts create --id %s", *accountID, *accountID)
		}
		return fmt.Errorf("read account %s: %w", *accountID, err)
	}
	holds, err := store.ListHolds(ctx, *accountID)
	if err != nil {
		return fmt.Errorf("list holds of account %s: %w", *accountID, err)
	}
	for _, h := range holds {
		target := h.E164
		if target == "" {
			target = "account"
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%s\n", numberpool.FormatTime(h.PlacedAt), h.Kind, target, h.Reason)
	}
	return nil
}

// describeHold names where a hold is, for the command's output.
func describeHold(h numberpool.Hold) string {
	if h.E164 == "" {
		return "every number of account " + h.AccountID
	}
	return "number " + h.E164 + " of account " + h.AccountID
}
