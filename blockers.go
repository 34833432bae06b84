package numberpool

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxCallDuration is how long a call counts as active without an
// "ended" event. After it the call no longer blocks a release, so that one
// lost event cannot keep a number forever.
const DefaultMaxCallDuration = 4 * time.Hour

// StatusSuspended is the status that the number object shows for an active
// number under a billing hold. It is never stored.
const StatusSuspended Status = "suspended"

// HoldKind is the reason an operator holds a number or an account.
type HoldKind string

// The hold kinds, in the order a release lists their blockers.
const (
	HoldBilling HoldKind = "billing"
	HoldPortOut HoldKind = "port_out"
	HoldLegal   HoldKind = "legal"
)

// holdKinds lists the kinds in blocker order with their blocker and the
// plain words of their warning.
var holdKinds = []struct {
	kind    HoldKind
	blocker BlockerKind
	words   string
}{
	{HoldBilling, BlockerBillingHold, "a billing issue is open on this number"},
	{HoldPortOut, BlockerPortOutHold, "a port-out request is in progress"},
	{HoldLegal, BlockerLegalHold, "a legal hold is on this number"},
}

// maxHoldReasonLength bounds the reason text of a hold, which the account
// reads in every number object.
const maxHoldReasonLength = 500

// ParseHoldKind validates a hold kind.
func ParseHoldKind(s string) (HoldKind, error) {
	for _, k := range holdKinds {
		if string(k.kind) == s {
			return k.kind, nil
		}
	}
	return "", Validation("kind", "must be one of billing, port_out, legal",
		"invalid hold kind %q: expected billing, port_out or legal", shortValue(s))
}

// ValidateHoldReason checks the reason of a new hold.
func ValidateHoldReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return Validation("reason", "is required", "missing hold reason: say why the number is held, e.g. \"invoice 1042 unpaid\"")
	}
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxHoldReasonLength {
		return Validation("reason", fmt.Sprintf("must be valid UTF-8 of at most %d characters", maxHoldReasonLength),
			"invalid hold reason: expected valid UTF-8 of at most %d characters", maxHoldReasonLength)
	}
	return nil
}

// Hold is an operator's hold on one number of an account, or on all its
// numbers when E164 is empty. Only the operator places and lifts holds, and
// the account can read them in the number object.
//
// NOTE: a hold blocks a release only. A number already released when a hold
// is placed still returns to the pool at the end of its cooling-off period.
type Hold struct {
	AccountID string
	E164      string // empty for a hold on the whole account
	Kind      HoldKind
	Reason    string
	PlacedAt  time.Time
	LiftedAt  time.Time // zero while the hold is in force
}

// CallEvent is a change of a call's state that the voice platform reports.
type CallEvent string

// The call events.
const (
	CallStarted CallEvent = "started"
	CallEnded   CallEvent = "ended"
)

// maxCallIDLength bounds the call ids that the voice platform sends.
const maxCallIDLength = 128

// ParseCallEvent validates a call event.
func ParseCallEvent(s string) (CallEvent, error) {
	switch CallEvent(s) {
	case CallStarted, CallEnded:
		return CallEvent(s), nil
	}
	return "", Validation("event", "must be started or ended",
		"invalid event %q: expected started or ended", shortValue(s))
}

// ValidateCallID checks a call id: 1 to 128 printable ASCII characters
// without spaces.
func ValidateCallID(id string) error {
	ok := id != "" && len(id) <= maxCallIDLength
	for i := 0; ok && i < len(id); i++ {
		ok = id[i] > ' ' && id[i] <= '~'
	}
	if !ok {
		return Validation("call_id", "must be 1 to 128 printable ASCII characters without spaces",
			"invalid call_id %q: expected 1 to %d printable ASCII characters without spaces", shortValue(id), maxCallIDLength)
	}
	return nil
}

// CallCountsAt reports whether a call that started at startedAt and has not
// ended still counts as active at now: it stops counting once maxDuration
// has passed.
func CallCountsAt(startedAt, now time.Time, maxDuration time.Duration) bool {
	return now.Before(startedAt.Add(maxDuration))
}

// ReleaseGuards are the facts about a number that may block its release.
type ReleaseGuards struct {
	ActiveCalls       int
	Holds             []Hold // in force, on the number or on its account
	ReleaseProtection bool
}

// Suspended reports whether a billing hold is in force.
func (g ReleaseGuards) Suspended() bool {
	for _, h := range g.Holds {
		if h.Kind == HoldBilling {
			return true
		}
	}
	return false
}

// Blockers returns one blocker per reason that stops a release, in the
// order of the BlockerKind constants: active calls, billing, port-out and
// legal holds, release protection. Holds of one kind on the number and on
// the account make one blocker that gives every reason.
func (g ReleaseGuards) Blockers() []Blocker {
	blockers := []Blocker{}
	if g.ActiveCalls > 0 {
		blockers = append(blockers, Blocker{Kind: BlockerActiveCalls, Message: activeCallsMessage(g.ActiveCalls)})
	}
	for _, k := range holdKinds {
		if reasons := g.reasons(k.kind); len(reasons) > 0 {
			message := k.words + " (" + strings.Join(reasons, "; ") + ")"
			blockers = append(blockers, Blocker{Kind: k.blocker, Message: message})
		}
	}
	if g.ReleaseProtection {
		blockers = append(blockers, Blocker{Kind: BlockerReleaseProtection,
			Message: `release protection is on; turn it off with PATCH on the number and {"release_protection": false}`})
	}
	return blockers
}

func activeCallsMessage(count int) string {
	if count == 1 {
		return "1 active call in progress"
	}
	return fmt.Sprintf("%d active calls in progress", count)
}

// reasons returns the reasons of the holds of kind, the number's first.
func (g ReleaseGuards) reasons(kind HoldKind) []string {
	var onNumber, onAccount []string
	for _, h := range g.Holds {
		switch {
		case h.Kind != kind:
		case h.E164 != "":
			onNumber = append(onNumber, h.Reason)
		default:
			onAccount = append(onAccount, "account hold: "+h.Reason)
		}
	}
	return append(onNumber, onAccount...)
}

// DisplayStatus returns the status that the number object shows at now: the
// stored status, except suspended for an active number under a billing
// hold.
func DisplayStatus(n Number, g ReleaseGuards, now time.Time) Status {
	status := n.StatusAt(now)
	if status == StatusActive && g.Suspended() {
		return StatusSuspended
	}
	return status
}

// CallReport is the outcome of a call event: the number's count of active
// calls after it.
type CallReport struct {
	E164        string
	CallID      string
	Event       CallEvent
	ActiveCalls int
}

// BlockerStore keeps what may block a release: calls in progress, operator
// holds and the account's release protection.
type BlockerStore interface {
	// RecordCallEvent records one event of a call on e164. Repeating an event
	// changes nothing, and a "started" that arrives after its "ended" is
	// ignored. "started" returns CONFLICT when the number is released, and
	// both events return NOT_FOUND when the account does not hold it.
	RecordCallEvent(ctx context.Context, accountID, e164, callID string, event CallEvent) (CallReport, error)
	// SetReleaseProtection switches the protection of an active number. It
	// returns NOT_FOUND, or CONFLICT when the number is released.
	SetReleaseProtection(ctx context.Context, accountID, e164 string, on bool) error
	// ReleaseGuards returns the guards of each of the account's numbers
	// e164s at the store clock's now. It does not check that the account
	// holds them, so callers pass numbers they have read as the account's.
	ReleaseGuards(ctx context.Context, accountID string, e164s []string) (map[string]ReleaseGuards, error)

	// PlaceHold puts h in force at the store clock's now. A hold on a number
	// belongs to the account that holds the number, and a hold on an account
	// (E164 empty) needs h.AccountID. It returns NOT_FOUND for a number no
	// account holds or an unknown account, and CONFLICT when a hold of the
	// same kind is already in force there.
	PlaceHold(ctx context.Context, h Hold) (Hold, error)
	// LiftHold ends the hold of kind on the number e164, whichever account
	// it was placed for, or on the account accountID when e164 is empty, and
	// returns it. It returns NOT_FOUND when no such hold is in force.
	LiftHold(ctx context.Context, accountID, e164 string, kind HoldKind) (Hold, error)
	// ListHolds returns the holds in force on the account and its numbers,
	// oldest first.
	ListHolds(ctx context.Context, accountID string) ([]Hold, error)
}

// HoldExists returns the CONFLICT of placing a hold where one of its kind is
// already in force.
func HoldExists(h Hold) *Error {
	return Errorf(CodeConflict, "a %s hold is already in force on %s: lift it first to change its reason", h.Kind, holdTarget(h.AccountID, h.E164))
}

// HoldNotFound returns the NOT_FOUND of lifting a hold that is not in force.
func HoldNotFound(accountID, e164 string, kind HoldKind) *Error {
	return Errorf(CodeNotFound, "no %s hold is in force on %s", kind, holdTarget(accountID, e164))
}

func holdTarget(accountID, e164 string) string {
	if e164 != "" {
		return "number " + e164
	}
	return "account " + accountID
}
