package inventory

import (
	"fmt"
	"strings"
)

// column is one of the CSV columns that an inventory file may have.
type column int

const (
	colE164 column = iota
	colType
	colRegion
	colCapabilities
	colMonthlyFee
	colSetupFee
	colAccountID
	colPurchasedAt
	colStatus
	colReleasedAt
	numColumns
)

// columnNames are the header names, exactly as a file must spell them.
var columnNames = [numColumns]string{
	colE164:         "e164",
	colType:         "type",
	colRegion:       "region",
	colCapabilities: "capabilities",
	colMonthlyFee:   "monthly_fee",
	colSetupFee:     "setup_fee",
	colAccountID:    "account_id",
	colPurchasedAt:  "purchased_at",
	colStatus:       "status",
	colReleasedAt:   "released_at",
}

// layout maps each column to its index in a record, or -1 when the file
// does not have it.
type layout [numColumns]int

// field returns the value of c in record, with surrounding spaces removed,
// or "" when the file has no such column.
func (l *layout) field(record []string, c column) string {
	i := l[c]
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(record[i])
}

// utf8BOM is the byte order mark that spreadsheet programs often write at
// the start of a CSV file.
const utf8BOM = "\ufeff"

// parseHeader reads the column names of the first line. Columns may come in
// any order; every name must be known and appear once, and e164 is required.
// It returns one reason per problem found.
func parseHeader(names []string) (layout, []string) {
	var l layout
	for c := range l {
		l[c] = -1
	}

	var reasons []string
	for i, name := range names {
		if i == 0 {
			name = strings.TrimPrefix(name, utf8BOM)
		}
		name = strings.TrimSpace(name)

		c, ok := lookupColumn(name)
		switch {
		case name == "":
			reasons = append(reasons, fmt.Sprintf("column %d of the header has no name: expected one of %s", i+1, knownColumns()))
		case !ok:
			reasons = append(reasons, unknownColumn(name))
		case l[c] >= 0:
			reasons = append(reasons, fmt.Sprintf("column %s appears twice in the header (columns %d and %d)", quote(name), l[c]+1, i+1))
		default:
			l[c] = i
		}
	}

	if l[colE164] < 0 {
		reasons = append(reasons, fmt.Sprintf("the header has no e164 column: every file needs one, for example a header of %q", "e164,type,monthly_fee"))
	}
	return l, reasons
}

func lookupColumn(name string) (column, bool) {
	for c, known := range columnNames {
		if name == known {
			return column(c), true
		}
	}
	return 0, false
}

func unknownColumn(name string) string {
	if _, ok := lookupColumn(strings.ToLower(name)); ok {
		return fmt.Sprintf("unknown column %s: column names are lower-case, write %s", quote(name), quote(strings.ToLower(name)))
	}
	return fmt.Sprintf("unknown column %s: expected one of %s", quote(name), knownColumns())
}

func knownColumns() string {
	return strings.Join(columnNames[:], ", ")
}
