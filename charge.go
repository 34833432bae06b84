package numberpool

import "time"

// ChargeKind names what a charge bills.
type ChargeKind string

// The charge kinds.
const (
	ChargeEarlyTerminationFee ChargeKind = "early_termination_fee"
	ChargeSetupFee            ChargeKind = "setup_fee"
)

// Charge is an amount billed to an account. A voided charge is no longer
// owed, for example the early termination fee of a cancelled release.
type Charge struct {
	AccountID string
	E164      string
	Kind      ChargeKind
	Amount    Cents
	CreatedAt time.Time
	VoidedAt  time.Time // zero while the charge is owed
}
