package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"numberpool"
)

// row is one valid line of an inventory file in a compact form of 136 bytes
// on 64-bit platforms, so a million rows take about 136 MB. Times are Unix
// seconds; purchasedAt is set unless status is available, releasedAt and
// availableAfter only when it is released.
type row struct {
	e164           uint64 // the digits after the plus sign
	country        string
	numberType     numberpool.NumberType
	region         string
	accountID      string
	status         numberpool.Status
	monthlyFee     numberpool.Cents
	setupFee       numberpool.Cents
	purchasedAt    int64
	releasedAt     int64
	availableAfter int64
	capabilities   capabilitySet
}

// maxRegionLen is the longest region accepted, in bytes. Regions are short
// codes such as "CA" or names such as "Greater London".
const maxRegionLen = 64

// validator checks the records of one file. It is read-only once built, so
// several goroutines may share it.
type validator struct {
	layout   layout
	policies numberpool.Policies
	now      time.Time
	numbers  *classifier
}

// check validates one record and returns the row with its reasons to reject
// it, none when the row is valid.
func (v *validator) check(record []string) (row, []string) {
	var r row
	var reasons []string
	reject := func(reason string) { reasons = append(reasons, reason) }
	if !v.checkLengths(record, reject) {
		return r, reasons
	}

	typeOK := v.checkNumber(&r, record, reject)
	if region := v.checkRegion(record, reject); region != "" {
		r.region = region
	}
	r.capabilities = v.checkCapabilities(record, reject)
	r.monthlyFee = v.checkFee(record, colMonthlyFee, reject)
	r.setupFee = v.checkFee(record, colSetupFee, reject)
	v.checkOwnership(&r, record, typeOK, reject)
	return r, reasons
}

// checkNumber fills the number, its country and its type, and its region
// from the metadata when the region column is empty. It reports whether
// the type is known, which the cooling-off policy of a release needs.
func (v *validator) checkNumber(r *row, record []string, reject func(string)) bool {
	e164 := v.layout.field(record, colE164)
	typeText := v.layout.field(record, colType)

	givenType, typeOK := numberpool.NumberType(""), true
	if typeText != "" {
		t, err := numberpool.ParseNumberType(typeText)
		if err != nil {
			reject(message(err))
			typeOK = false
		}
		givenType = t
	}

	if e164 == "" {
		reject("e164 is empty: every row needs a number in E.164 format, e.g. +14155551234")
		return false
	}
	regionEmpty := v.layout.field(record, colRegion) == ""
	c, err := v.numbers.classify(e164, regionEmpty)
	if err != nil {
		reject(message(err))
		return false
	}
	r.e164 = digits(e164)
	country, kind := c.country, c.kind
	r.country = country

	if kind == phonenumbers.UNKNOWN {
		of := country
		if country == numberpool.NonGeographic {
			of = "its country code"
		}
		reject(fmt.Sprintf("%s is not a valid number: it matches no number range of %s", e164, of))
		return false
	}
	if country == numberpool.NonGeographic {
		reject(fmt.Sprintf("%s is a non-geographic number, which belongs to no country: "+
			"searches and purchases name a country, so it could never be found or bought", e164))
		return false
	}
	if regionEmpty {
		r.region = c.region
	}
	if typeText != "" {
		r.numberType = givenType
		if typeOK && !typeAllowed(kind, givenType) {
			reject(fmt.Sprintf("type %s contradicts the number: %s is a %s number of %s, so its type must be %s",
				givenType, e164, kindNames[kind], country, joinTypes(typesOfKind[kind])))
			return false
		}
		return typeOK
	}

	types, ok := typesOfKind[kind]
	if !ok {
		reject(fmt.Sprintf("the type of %s cannot be inferred: it is a %s number; set the type column to local, mobile or toll_free",
			e164, kindNames[kind]))
		return false
	}
	r.numberType = types[0]
	return true
}

// typesOfKind maps each phonenumbers classification to the number types
// that may be given for it, the inferred one first. US and Canadian numbers
// come back as FIXED_LINE_OR_MOBILE because their ranges do not tell mobile
// from fixed lines, so they are inferred as local but may be given as
// mobile. A classification missing here (premium-rate, VoIP and the other
// kinds of kindNames) has no type of its own, so the type column must set
// one, and any type is accepted.
var typesOfKind = map[phonenumbers.PhoneNumberType][]numberpool.NumberType{
	phonenumbers.FIXED_LINE:           {numberpool.TypeLocal},
	phonenumbers.FIXED_LINE_OR_MOBILE: {numberpool.TypeLocal, numberpool.TypeMobile},
	phonenumbers.MOBILE:               {numberpool.TypeMobile},
	phonenumbers.TOLL_FREE:            {numberpool.TypeTollFree},
}

// typeAllowed reports whether a number that phonenumbers classifies as kind
// may have the type given.
func typeAllowed(kind phonenumbers.PhoneNumberType, given numberpool.NumberType) bool {
	types, ok := typesOfKind[kind]
	return !ok || slices.Contains(types, given)
}

func joinTypes(types []numberpool.NumberType) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return strings.Join(names, " or ")
}

// kindNames names the phonenumbers classifications in messages.
var kindNames = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.FIXED_LINE:           "fixed-line",
	phonenumbers.FIXED_LINE_OR_MOBILE: "fixed-line or mobile",
	phonenumbers.MOBILE:               "mobile",
	phonenumbers.TOLL_FREE:            "toll-free",
	phonenumbers.PREMIUM_RATE:         "premium-rate",
	phonenumbers.SHARED_COST:          "shared-cost",
	phonenumbers.VOIP:                 "VoIP",
	phonenumbers.PERSONAL_NUMBER:      "personal",
	phonenumbers.PAGER:                "pager",
	phonenumbers.UAN:                  "UAN (universal access)",
	phonenumbers.VOICEMAIL:            "voicemail",
}

// digits returns the digits of an E.164 number that ParseE164Number
// accepted, which are at most 15 and so fit in a uint64.
func digits(e164 string) uint64 {
	var n uint64
	for i := 1; i < len(e164); i++ {
		n = n*10 + uint64(e164[i]-'0')
	}
	return n
}

func (v *validator) checkRegion(record []string, reject func(string)) string {
	region := v.layout.field(record, colRegion)
	if len(region) > maxRegionLen || !utf8.ValidString(region) || strings.IndexFunc(region, notPrintable) >= 0 {
		reject(fmt.Sprintf("invalid region %s: expected at most %d printable characters, e.g. CA", quote(region), maxRegionLen))
		return ""
	}
	return region
}

// maxFieldLen is the longest value of any column, in bytes. The longest
// valid values are an account id (acc_ and 60 characters) and a region.
const maxFieldLen = 64

// checkLengths rejects every field longer than maxFieldLen, so that no
// message repeats a huge value. It reports whether all fields fit.
func (v *validator) checkLengths(record []string, reject func(string)) bool {
	ok := true
	for c, name := range columnNames {
		if value := v.layout.field(record, column(c)); len(value) > maxFieldLen {
			reject(fmt.Sprintf("%s is %d bytes long, longer than the maximum of %d: %s", name, len(value), maxFieldLen, quote(value)))
			ok = false
		}
	}
	return ok
}

func notPrintable(r rune) bool { return !unicode.IsPrint(r) }

func (v *validator) checkFee(record []string, c column, reject func(string)) numberpool.Cents {
	text := v.layout.field(record, c)
	if text == "" {
		return 0
	}
	fee, err := numberpool.ParseCents(text)
	if err != nil {
		reject(fmt.Sprintf("%s: %v", columnNames[c], err))
		return 0
	}
	return fee
}

// message returns the client-safe message of a domain error.
func message(err error) string {
	if e, ok := err.(*numberpool.Error); ok {
		return e.Message
	}
	return err.Error()
}
