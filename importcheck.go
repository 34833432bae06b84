package numberpool

// ValidateImport checks that n can be stored as it is by an import. An
// available number has no owner, assignments or dates. An active number needs
// an AccountID and a PurchasedAt. A released number also needs ReleasedAt and
// an AvailableAfter that is not before it. Its TrunkID and ApplicationID are
// the assignments that a cancel of the release restores.
//
// Only the form of E164 is checked here, because a full parse took about half
// the time of an imported row in the import benchmark. Importers that need
// the country check call ParseE164Number first.
func ValidateImport(n Number) error {
	if !hasE164Syntax(n.E164) {
		return invalidE164("e164", n.E164)
	}
	if err := validateImportAttributes(n); err != nil {
		return err
	}

	switch n.Status {
	case StatusAvailable:
		return validateImportAvailable(n)
	case StatusActive, StatusReleased:
		return validateImportOwned(n)
	}
	return Validation("status", "must be one of available, active, released",
		"invalid status %q of number %s: expected available, active or released", n.Status, n.E164)
}

func validateImportAttributes(n Number) error {
	if n.Country == "" {
		return Validation("country", "must not be empty", "missing country of number %s", n.E164)
	}
	if _, err := ParseNumberType(string(n.Type)); err != nil {
		return err
	}
	for _, c := range n.Capabilities {
		if _, err := ParseCapability(string(c)); err != nil {
			return err
		}
	}
	if n.MonthlyFee < 0 || n.SetupFee < 0 {
		return Validation("monthly_fee", "must not be negative",
			"invalid fees of number %s: monthly %s and setup %s must not be negative", n.E164, n.MonthlyFee, n.SetupFee)
	}
	if n.TrunkID != "" && n.ApplicationID != "" {
		return Validation("trunk_id", "a number routes to a trunk or to an application, not both",
			"invalid routing of number %s: both trunk %s and application %s are set", n.E164, n.TrunkID, n.ApplicationID)
	}
	return nil
}

func validateImportAvailable(n Number) error {
	if n.AccountID != "" || n.TrunkID != "" || n.ApplicationID != "" {
		return Validation("account_id", "must be empty for an available number",
			"invalid available number %s: it must have no account, trunk or application", n.E164)
	}
	if !n.PurchasedAt.IsZero() || !n.ReleasedAt.IsZero() || !n.AvailableAfter.IsZero() {
		return Validation("purchased_at", "must be empty for an available number",
			"invalid available number %s: it must have no purchase or release time", n.E164)
	}
	return nil
}

func validateImportOwned(n Number) error {
	if n.AccountID == "" {
		return Validation("account_id", "is required for an active or released number",
			"missing account of %s number %s", n.Status, n.E164)
	}
	if n.PurchasedAt.IsZero() {
		return Validation("purchased_at", "is required for an active or released number",
			"missing purchase time of %s number %s", n.Status, n.E164)
	}
	if n.Status == StatusActive {
		if !n.ReleasedAt.IsZero() || !n.AvailableAfter.IsZero() {
			return Validation("released_at", "must be empty for an active number",
				"invalid active number %s: it must have no release time", n.E164)
		}
		return nil
	}

	if n.ReleasedAt.IsZero() || n.AvailableAfter.IsZero() {
		return Validation("released_at", "is required for a released number, with available_after",
			"missing release time or available_after of released number %s", n.E164)
	}
	if n.AvailableAfter.Before(n.ReleasedAt) || n.ReleasedAt.Before(n.PurchasedAt) {
		return Validation("available_after", "must not be before released_at, nor released_at before purchased_at",
			"invalid times of released number %s: purchased %s, released %s, available after %s",
			n.E164, FormatTime(n.PurchasedAt), FormatTime(n.ReleasedAt), FormatTime(n.AvailableAfter))
	}
	return nil
}
