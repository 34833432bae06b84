package inventory

import (
	"fmt"
	"time"

	"numberpool"
)

// exampleTime shows the expected form of a timestamp in messages.
const exampleTime = "2026-01-15T09:30:00Z"

// checkOwnership validates the columns of a number migrated with its owner:
// account_id, purchased_at, status and released_at, and that they agree with
// one another. typeOK reports whether r's country and type are known,
// because the cooling-off period of a released number depends on them.
func (v *validator) checkOwnership(r *row, record []string, typeOK bool, reject func(string)) {
	accountID := v.layout.field(record, colAccountID)
	purchasedText := v.layout.field(record, colPurchasedAt)
	releasedText := v.layout.field(record, colReleasedAt)

	status, statusOK := v.checkStatus(record, accountID, reject)
	if accountID != "" {
		if err := numberpool.ValidateAccountID(accountID); err != nil {
			reject(message(err))
		}
	}
	purchasedAt, purchasedOK := v.checkTime("purchased_at", purchasedText, reject)
	releasedAt, releasedOK := v.checkTime("released_at", releasedText, reject)
	if !statusOK {
		return
	}

	r.status = status
	r.accountID = accountID
	switch status {
	case numberpool.StatusAvailable:
		checkUnowned(accountID, purchasedText, releasedText, reject)
	case numberpool.StatusActive:
		checkOwned(status, accountID, purchasedText, reject)
		if releasedText != "" {
			reject(fmt.Sprintf("released_at %s is set but status is active: set status to released, or clear released_at", releasedText))
		}
	case numberpool.StatusReleased:
		checkOwned(status, accountID, purchasedText, reject)
		if releasedText == "" {
			reject(fmt.Sprintf("status is released but released_at is empty: the release time starts the cooling-off period, e.g. %s", exampleTime))
		}
	}

	if purchasedOK && purchasedText != "" {
		r.purchasedAt = purchasedAt.Unix()
	}
	if !releasedOK || releasedText == "" || status != numberpool.StatusReleased {
		return
	}
	if purchasedOK && purchasedText != "" && releasedAt.Before(purchasedAt) {
		reject(fmt.Sprintf("released_at %s is before purchased_at %s", releasedText, purchasedText))
		return
	}
	if typeOK {
		policy := v.policies.For(r.country, r.numberType)
		r.releasedAt = releasedAt.Unix()
		r.availableAfter = numberpool.AvailableAfter(releasedAt, policy.CoolingOffDays).Unix()
	}
}

// checkStatus returns the status of the row: the status column, or when it
// is empty, active for a number with an owner and available otherwise.
func (v *validator) checkStatus(record []string, accountID string, reject func(string)) (numberpool.Status, bool) {
	text := v.layout.field(record, colStatus)
	if text == "" {
		if accountID != "" {
			return numberpool.StatusActive, true
		}
		return numberpool.StatusAvailable, true
	}

	status, err := numberpool.ParseStatus(text)
	if err != nil {
		reject(fmt.Sprintf("invalid status %q: expected active or released for a number with an owner, available or empty for one without", text))
		return "", false
	}
	return status, true
}

func checkUnowned(accountID, purchasedText, releasedText string, reject func(string)) {
	// With an owner given, the purchase time belongs to it, and the first
	// message covers both.
	if accountID != "" {
		reject(fmt.Sprintf("status is available but account_id is %s: a number in the pool has no owner; set status to active or clear account_id", accountID))
	} else if purchasedText != "" {
		reject(fmt.Sprintf("purchased_at %s is set on a number without an owner: set account_id, or clear purchased_at", purchasedText))
	}
	if releasedText != "" {
		reject(fmt.Sprintf("released_at %s is set but status is not released: set status to released, or clear released_at", releasedText))
	}
}

func checkOwned(status numberpool.Status, accountID, purchasedText string, reject func(string)) {
	if accountID == "" {
		reject(fmt.Sprintf("status is %s but account_id is empty: give the account that owns the number", status))
	}
	if purchasedText == "" {
		reject(fmt.Sprintf("status is %s but purchased_at is empty: the purchase time starts the minimum term, e.g. %s", status, exampleTime))
	}
}

// checkTime parses an RFC 3339 timestamp with whole seconds that is not
// after the time of the import. It returns false when the text is invalid;
// empty text is valid and gives the zero time.
func (v *validator) checkTime(name, text string, reject func(string)) (time.Time, bool) {
	if text == "" {
		return time.Time{}, true
	}

	t, err := time.Parse(time.RFC3339, text)
	switch {
	case err != nil:
		reject(fmt.Sprintf("invalid %s %q: expected an RFC 3339 time with a zone, e.g. %s", name, text, exampleTime))
		return time.Time{}, false
	case t.Nanosecond() != 0:
		reject(fmt.Sprintf("invalid %s %q: expected whole seconds, without a fraction", name, text))
		return time.Time{}, false
	case t.After(v.now):
		reject(fmt.Sprintf("%s %s is in the future: the import runs at %s", name, text, numberpool.FormatTime(v.now)))
		return time.Time{}, false
	}
	return t.UTC(), true
}
