package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nyaruka/phonenumbers"

	"numberpool"
)

var testNow = time.Date(2026, 4, 9, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{
		Policies: numberpool.Policies{
			Default: numberpool.DefaultPolicy,
			Rules: []numberpool.PolicyRule{
				{Country: "US", Type: numberpool.TypeTollFree, Policy: numberpool.Policy{EarlyTerminationFee: 2500, MinimumTermMonths: 3, CoolingOffDays: 45}},
			},
		},
		Now: testNow,
	}
}

// mustRead reads a valid file and returns its numbers.
func mustRead(tb testing.TB, csv string, opts Options) []numberpool.Number {
	tb.Helper()
	b, err := Read(context.Background(), strings.NewReader(csv), opts)
	if err != nil {
		tb.Fatalf("Read failed: %v", err)
	}
	numbers := slices.Collect(b.Numbers())
	if len(numbers) != b.Len() {
		tb.Fatalf("Numbers yielded %d numbers, Len = %d", len(numbers), b.Len())
	}
	return numbers
}

// readProblems reads a file that must be rejected and returns its problems.
func readProblems(tb testing.TB, csv string, opts Options) *ProblemsError {
	tb.Helper()
	b, err := Read(context.Background(), strings.NewReader(csv), opts)
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		tb.Fatalf("Read returned batch %v and error %v, want a *ProblemsError", b, err)
	}
	if b != nil {
		tb.Errorf("Read returned a batch of %d rows with its problems", b.Len())
	}
	return pe
}

func caps(cs ...numberpool.Capability) []numberpool.Capability {
	return append([]numberpool.Capability{}, cs...)
}

func TestReadValidRows(t *testing.T) {
	csv := `e164,type,region,capabilities,monthly_fee,setup_fee,account_id,purchased_at,status,released_at
+14155551234,local,CA,voice;sms;mms,1.25,0.50,,,,
+14155550100,local,CA,voice,1.15,,acc_123abc,2025-04-09T10:00:00Z,,
+18005550199,toll_free,,sms; voice ,2,,acc_123abc,2026-01-01T00:00:00Z,released,2026-04-01T08:30:00Z
+442071838750,local,London,,0.99,1,acc_other,2025-12-31T23:59:59+01:00,active,
`
	got := mustRead(t, csv, testOptions())

	want := []numberpool.Number{
		{
			E164: "+14155551234", Country: "US", Type: numberpool.TypeLocal, Region: "CA",
			Capabilities: caps(numberpool.CapabilityVoice, numberpool.CapabilitySMS, numberpool.CapabilityMMS),
			MonthlyFee:   125, SetupFee: 50, Status: numberpool.StatusAvailable,
		},
		{
			E164: "+14155550100", Country: "US", Type: numberpool.TypeLocal, Region: "CA",
			Capabilities: caps(numberpool.CapabilityVoice), MonthlyFee: 115,
			Status: numberpool.StatusActive, AccountID: "acc_123abc",
			PurchasedAt: time.Date(2025, 4, 9, 10, 0, 0, 0, time.UTC),
		},
		{
			E164: "+18005550199", Country: "US", Type: numberpool.TypeTollFree,
			Capabilities: caps(numberpool.CapabilityVoice, numberpool.CapabilitySMS), MonthlyFee: 200,
			Status: numberpool.StatusReleased, AccountID: "acc_123abc",
			PurchasedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			ReleasedAt:  time.Date(2026, 4, 1, 8, 30, 0, 0, time.UTC),
			// The US toll-free rule of testOptions: 45 days.
			AvailableAfter: time.Date(2026, 5, 16, 8, 30, 0, 0, time.UTC),
		},
		{
			E164: "+442071838750", Country: "GB", Type: numberpool.TypeLocal, Region: "London",
			Capabilities: caps(), MonthlyFee: 99, SetupFee: 100,
			Status: numberpool.StatusActive, AccountID: "acc_other",
			PurchasedAt: time.Date(2025, 12, 31, 22, 59, 59, 0, time.UTC),
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers mismatch (-want +got):\n%s", diff)
	}
}

func TestReadReleasedUsesDefaultPolicy(t *testing.T) {
	csv := "e164,account_id,purchased_at,status,released_at\n" +
		"+14155551234,acc_1,2026-01-01T00:00:00Z,released,2026-04-01T00:00:00Z\n"
	got := mustRead(t, csv, testOptions())

	want := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) // 30 days later
	if len(got) != 1 || !got[0].AvailableAfter.Equal(want) {
		t.Fatalf("numbers = %+v, want one with AvailableAfter %s", got, want)
	}
}

func TestReadInfersType(t *testing.T) {
	tests := []struct {
		name string
		e164 string
		want numberpool.NumberType
	}{
		{"us local", "+14155551234", numberpool.TypeLocal},
		{"canada local", "+16135550123", numberpool.TypeLocal},
		{"us toll-free", "+18885551234", numberpool.TypeTollFree},
		{"uk fixed line", "+442071838750", numberpool.TypeLocal},
		{"france mobile", "+33612345678", numberpool.TypeMobile},
		{"india mobile", "+919876543210", numberpool.TypeMobile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, header := range []string{"e164", "e164,type"} {
				csv := header + "\n" + tt.e164 + strings.Repeat(",", strings.Count(header, ",")) + "\n"
				got := mustRead(t, csv, testOptions())
				if len(got) != 1 || got[0].Type != tt.want {
					t.Errorf("header %q: numbers = %+v, want type %s", header, got, tt.want)
				}
			}
		})
	}
}

func TestReadTypeGivenWins(t *testing.T) {
	got := mustRead(t, "type,e164\nmobile,+14155551234\n", testOptions())
	if len(got) != 1 || got[0].Type != numberpool.TypeMobile {
		t.Fatalf("numbers = %+v, want type mobile as given", got)
	}
}

// TestReadTypeMatchesMetadata checks the given types that agree with the
// metadata, including both types of an ambiguous US number.
func TestReadTypeMatchesMetadata(t *testing.T) {
	tests := []struct {
		e164 string
		typ  numberpool.NumberType
	}{
		{"+14155551234", numberpool.TypeLocal},
		{"+14155551234", numberpool.TypeMobile},
		{"+18885551234", numberpool.TypeTollFree},
		{"+442071838750", numberpool.TypeLocal},
		{"+33612345678", numberpool.TypeMobile},
	}
	for _, tt := range tests {
		t.Run(tt.e164+"/"+string(tt.typ), func(t *testing.T) {
			got := mustRead(t, "e164,type\n"+tt.e164+","+string(tt.typ)+"\n", testOptions())
			if len(got) != 1 || got[0].Type != tt.typ {
				t.Errorf("numbers = %+v, want type %s", got, tt.typ)
			}
		})
	}
}

func TestReadColumnsInAnyOrder(t *testing.T) {
	got := mustRead(t, "monthly_fee , e164\n1.50,+14155551234\n", testOptions())
	if len(got) != 1 || got[0].E164 != "+14155551234" || got[0].MonthlyFee != 150 {
		t.Fatalf("numbers = %+v, want +14155551234 at 1.50", got)
	}
}

func TestReadHeaderOnly(t *testing.T) {
	if got := mustRead(t, "e164,type\n", testOptions()); len(got) != 0 {
		t.Fatalf("numbers = %+v, want none", got)
	}
}

func TestReadByteOrderMark(t *testing.T) {
	got := mustRead(t, "\ufeffe164\n+14155551234\n", testOptions())
	if len(got) != 1 {
		t.Fatalf("numbers = %+v, want one", got)
	}
}

func TestReadMultilineFieldKeepsLineNumbers(t *testing.T) {
	csv := "e164,capabilities\n+14155551234,\"voice;\nsms\"\n+1415,voice\n"
	pe := readProblems(t, csv, testOptions())
	if len(pe.Problems) != 1 || pe.Problems[0].Line != 4 {
		t.Fatalf("problems = %+v, want one on line 4", pe.Problems)
	}
}

func TestReadHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []Problem
	}{
		{"empty file", "", []Problem{
			{1, "the file is empty: expected a header line such as e164,type,monthly_fee"},
		}},
		{"unknown column", "e164,colour\n+14155551234,red\n", []Problem{
			{1, `unknown column "colour": expected one of e164, type, region, capabilities, monthly_fee, setup_fee, account_id, purchased_at, status, released_at`},
		}},
		{"upper case", "E164,Type\n", []Problem{
			{1, `unknown column "E164": column names are lower-case, write "e164"`},
			{1, `unknown column "Type": column names are lower-case, write "type"`},
			{1, `the header has no e164 column: every file needs one, for example a header of "e164,type,monthly_fee"`},
		}},
		{"duplicate column", "e164,type,type\n", []Problem{
			{1, `column "type" appears twice in the header (columns 2 and 3)`},
		}},
		{"missing e164", "type,region\nlocal,CA\n", []Problem{
			{1, `the header has no e164 column: every file needs one, for example a header of "e164,type,monthly_fee"`},
		}},
		{"huge name", "e164," + strings.Repeat("z", 1<<20) + "\n", []Problem{
			{1, `unknown column "` + strings.Repeat("z", 40) + `"...: expected one of e164, type, region, capabilities, monthly_fee, setup_fee, account_id, purchased_at, status, released_at`},
		}},
		{"empty name", "e164,,type\n", []Problem{
			{1, "column 2 of the header has no name: expected one of e164, type, region, capabilities, monthly_fee, setup_fee, account_id, purchased_at, status, released_at"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := readProblems(t, tt.csv, testOptions())
			if diff := cmp.Diff(tt.want, pe.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if pe.Count != len(tt.want) {
				t.Errorf("Count = %d, want %d", pe.Count, len(tt.want))
			}
		})
	}
}

const fullHeader = "e164,type,region,capabilities,monthly_fee,setup_fee,account_id,purchased_at,status,released_at\n"

// firstRow and lastRow are valid rows of fullHeader around the bad row of
// each case below, which is on line 3.
const (
	firstRow = "+14155550100,local,CA,voice,1.25,0,,,,\n"
	lastRow  = "+14155550101,local,CA,voice,1.25,0,,,,"
)

func TestReadRejectsRows(t *testing.T) {
	tests := []struct {
		name string
		row  string
		want string
	}{
		{"empty e164", ",local,,,,,,,,",
			"e164 is empty: every row needs a number in E.164 format, e.g. +14155551234"},
		{"malformed e164", "4155551234,,,,,,,,,",
			`invalid phone number "4155551234": expected E.164 format, a plus sign and up to 15 digits with the country code (e.g., +14155551234)`},
		{"invalid number", "+15555550100,,,,,,,,,",
			"+15555550100 is not a valid number: it matches no number range of US"},
		{"national prefix", "+114155550123,,,,,,,,,",
			`invalid phone number "+114155550123": it holds a national prefix or carrier code, which E.164 leaves out: +14155550123; ` +
				`expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234)`},
		{"invalid non-geographic", "+882341234567,,,,,,,,,",
			"+882341234567 is not a valid number: it matches no number range of its country code"},
		{"non-geographic", "+80012345678,,,,,,,,,",
			"+80012345678 is a non-geographic number, which belongs to no country: " +
				"searches and purchases name a country, so it could never be found or bought"},
		{"type not inferable", "+19005551234,,,,,,,,,",
			"the type of +19005551234 cannot be inferred: it is a premium-rate number; set the type column to local, mobile or toll_free"},
		{"unknown type", "+14155551234,landline,,,,,,,,",
			`invalid number type "landline": expected local, mobile or toll_free`},
		{"unknown capability", "+14155551234,,,voice;fax,,,,,,",
			`invalid capabilities "voice;fax": unknown capability "fax", expected voice, sms or mms`},
		{"repeated capability", "+14155551234,,,sms;voice;sms,,,,,,",
			`invalid capabilities "sms;voice;sms": sms is listed twice`},
		{"empty capability", "+14155551234,,,voice;,,,,,,",
			`invalid capabilities "voice;": a capability between semicolons is empty; expected e.g. voice;sms`},
		{"region too long", "+14155551234,," + strings.Repeat("x", 65) + ",,,,,,,",
			`region is 65 bytes long, longer than the maximum of 64: "` + strings.Repeat("x", 40) + `"...`},
		{"huge region", "+14155551234,," + strings.Repeat("x", 20<<20) + ",,,,,,,",
			`region is 20971520 bytes long, longer than the maximum of 64: "` + strings.Repeat("x", 40) + `"...`},
		{"huge account id", "+14155551234,,,,,,acc_" + strings.Repeat("y", 100) + ",2026-01-01T00:00:00Z,,",
			`account_id is 104 bytes long, longer than the maximum of 64: "acc_` + strings.Repeat("y", 36) + `"...`},
		{"local given for toll-free", "+18885553335,local,,,,,,,,",
			"type local contradicts the number: +18885553335 is a toll-free number of US, so its type must be toll_free"},
		{"toll-free given for local", "+14155553334,toll_free,,,,,,,,",
			"type toll_free contradicts the number: +14155553334 is a fixed-line or mobile number of US, so its type must be local or mobile"},
		{"mobile given for fixed line", "+442071838750,mobile,,,,,,,,",
			"type mobile contradicts the number: +442071838750 is a fixed-line number of GB, so its type must be local"},
		{"local given for mobile", "+33612345678,local,,,,,,,,",
			"type local contradicts the number: +33612345678 is a mobile number of FR, so its type must be mobile"},
		{"region control character", "+14155551234,,C\tA,,,,,,,",
			`invalid region "C\tA": expected at most 64 printable characters, e.g. CA`},
		{"monthly fee", "+14155551234,,,,1.255,,,,,",
			`monthly_fee: invalid amount "1.255": expected a non-negative decimal with at most two decimals, e.g. 1.15`},
		{"setup fee", "+14155551234,,,,,-1,,,,",
			`setup_fee: invalid amount "-1": expected a non-negative decimal with at most two decimals, e.g. 1.15`},
		{"account id", "+14155551234,,,,,,acc-1,2026-01-01T00:00:00Z,,",
			`invalid account id "acc-1": expected acc_ followed by 1 to 60 letters, digits or underscores, e.g. acc_123abc`},
		{"status", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00Z,ported,",
			`invalid status "ported": expected active or released for a number with an owner, available or empty for one without`},
		{"purchased_at form", "+14155551234,,,,,,acc_1,2026-01-01 00:00:00,,",
			`invalid purchased_at "2026-01-01 00:00:00": expected an RFC 3339 time with a zone, e.g. 2026-01-15T09:30:00Z`},
		{"purchased_at fraction", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00.5Z,,",
			`invalid purchased_at "2026-01-01T00:00:00.5Z": expected whole seconds, without a fraction`},
		{"purchased_at future", "+14155551234,,,,,,acc_1,2026-04-09T12:00:01Z,,",
			"purchased_at 2026-04-09T12:00:01Z is in the future: the import runs at 2026-04-09T12:00:00Z"},
		{"released_at future", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00Z,released,2027-01-01T00:00:00Z",
			"released_at 2027-01-01T00:00:00Z is in the future: the import runs at 2026-04-09T12:00:00Z"},
		{"owner without purchase", "+14155551234,,,,,,acc_1,,,",
			"status is active but purchased_at is empty: the purchase time starts the minimum term, e.g. 2026-01-15T09:30:00Z"},
		{"active without owner", "+14155551234,,,,,,,2026-01-01T00:00:00Z,active,",
			"status is active but account_id is empty: give the account that owns the number"},
		{"available with owner", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00Z,available,",
			"status is available but account_id is acc_1: a number in the pool has no owner; set status to active or clear account_id"},
		{"purchase without owner", "+14155551234,,,,,,,2026-01-01T00:00:00Z,,",
			"purchased_at 2026-01-01T00:00:00Z is set on a number without an owner: set account_id, or clear purchased_at"},
		{"released without time", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00Z,released,",
			"status is released but released_at is empty: the release time starts the cooling-off period, e.g. 2026-01-15T09:30:00Z"},
		{"release time when active", "+14155551234,,,,,,acc_1,2026-01-01T00:00:00Z,,2026-02-01T00:00:00Z",
			"released_at 2026-02-01T00:00:00Z is set but status is active: set status to released, or clear released_at"},
		{"release time when available", "+14155551234,,,,,,,,,2026-02-01T00:00:00Z",
			"released_at 2026-02-01T00:00:00Z is set but status is not released: set status to released, or clear released_at"},
		{"released before purchase", "+14155551234,,,,,,acc_1,2026-02-01T00:00:00Z,released,2026-01-01T00:00:00Z",
			"released_at 2026-01-01T00:00:00Z is before purchased_at 2026-02-01T00:00:00Z"},
		{"several reasons", "+1415,mobil,,,x,,,,,",
			`invalid number type "mobil": expected local, mobile or toll_free; ` +
				`invalid phone number "+1415": the national number 415 is too short for country code +1; expected E.164 format, a plus sign, the country code and the whole national number (e.g., +14155551234); ` +
				`monthly_fee: invalid amount "x": expected a non-negative decimal with at most two decimals, e.g. 1.15`},
		{"field count", "+14155551234,local",
			"the row has 2 fields but the header has 10 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := readProblems(t, fullHeader+firstRow+tt.row+"\n"+lastRow, testOptions())

			want := []Problem{{Line: 3, Reason: tt.want}}
			if diff := cmp.Diff(want, pe.Problems); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if pe.Count != 1 {
				t.Errorf("Count = %d, want 1", pe.Count)
			}
		})
	}
}

func TestReadDuplicateInFile(t *testing.T) {
	csv := "e164\n+14155551234\n+14155550100\n+14155551234\n+14155551234\n"
	pe := readProblems(t, csv, testOptions())

	want := []Problem{
		{4, "duplicate number +14155551234: it is also on line 2"},
		{5, "duplicate number +14155551234: it is also on line 2"},
	}
	if diff := cmp.Diff(want, pe.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestReadDuplicateOfInvalidRow(t *testing.T) {
	csv := "e164,type\n+14155551234,fixed\n+14155551234,local\n"
	pe := readProblems(t, csv, testOptions())

	want := []Problem{
		{2, `invalid number type "fixed": expected local, mobile or toll_free`},
		{3, "duplicate number +14155551234: it is also on line 2"},
	}
	if diff := cmp.Diff(want, pe.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestReadCSVSyntaxError(t *testing.T) {
	csv := "e164,region\n+14155551234,CA\n+1415,CA\n+14155550100,\"C\"A\n+14155550101,CA\n"
	pe := readProblems(t, csv, testOptions())

	if len(pe.Problems) != 2 {
		t.Fatalf("problems = %+v, want two", pe.Problems)
	}
	if pe.Problems[0].Line != 3 {
		t.Errorf("first problem on line %d, want 3", pe.Problems[0].Line)
	}
	last := pe.Problems[1]
	if last.Line != 4 || !strings.Contains(last.Reason, "invalid CSV") || !strings.Contains(last.Reason, "the rest of the file was not read") {
		t.Errorf("last problem = %+v, want invalid CSV on line 4", last)
	}
}

func TestReadCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("e164\n")
	for i := range 150 {
		fmt.Fprintf(&b, "+1415%d\n", i)
	}
	opts := testOptions()
	opts.MaxProblems = 100
	pe := readProblems(t, b.String(), opts)

	if len(pe.Problems) != 100 || pe.Count != 150 {
		t.Fatalf("kept %d problems of %d, want 100 of 150", len(pe.Problems), pe.Count)
	}
	if pe.Problems[0].Line != 2 || pe.Problems[99].Line != 101 {
		t.Errorf("problems on lines %d to %d, want 2 to 101", pe.Problems[0].Line, pe.Problems[99].Line)
	}
}

// bigFile returns a file of n numbers that spans several chunks, with a
// repeat of the first number at the end when withDuplicate is set.
func bigFile(n int, withDuplicate bool) string {
	var b strings.Builder
	b.WriteString("e164,capabilities,monthly_fee\n")
	for i := range n {
		fmt.Fprintf(&b, "+1415555%04d,voice;sms,1.%02d\n", i, i%100)
	}
	if withDuplicate {
		b.WriteString("+14155550000,,\n")
	}
	return b.String()
}

func TestReadWorkersKeepFileOrder(t *testing.T) {
	csv := bigFile(3*chunkSize+7, false)

	oneWorker := testOptions()
	oneWorker.Workers = 1
	fourWorkers := testOptions()
	fourWorkers.Workers = 4
	want := mustRead(t, csv, oneWorker)
	got := mustRead(t, csv, fourWorkers)

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("numbers of 4 workers differ from 1 worker (-want +got):\n%s", diff)
	}
	if len(got) != 3*chunkSize+7 || got[len(got)-1].E164 != fmt.Sprintf("+1415555%04d", 3*chunkSize+6) {
		t.Errorf("got %d numbers ending with %v", len(got), got[len(got)-1])
	}
}

func TestReadDuplicateAcrossChunks(t *testing.T) {
	n := 3 * chunkSize
	pe := readProblems(t, bigFile(n, true), testOptions())

	want := []Problem{{n + 2, "duplicate number +14155550000: it is also on line 2"}}
	if diff := cmp.Diff(want, pe.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, strings.NewReader(bigFile(2*chunkSize, false)), testOptions())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Read error = %v, want context.Canceled", err)
	}
}

func TestReadStopsEarlyWhenConsumerStops(t *testing.T) {
	b, err := Read(context.Background(), strings.NewReader(bigFile(10, false)), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for n := range b.Numbers() {
		seen = append(seen, n.E164)
		if len(seen) == 3 {
			break
		}
	}
	if diff := cmp.Diff([]string{"+14155550000", "+14155550001", "+14155550002"}, seen); diff != "" {
		t.Errorf("numbers mismatch (-want +got):\n%s", diff)
	}
}

// The validator calls GetNumberType in place of IsValidNumber; this checks
// that the two agree, valid numbers and invalid ones alike.
func TestNumberTypeAgreesWithIsValidNumber(t *testing.T) {
	for _, e164 := range []string{
		"+14155551234", "+18005550199", "+15555550100", "+19005551234", "+442071838750",
		"+447012345678", "+33612345678", "+33012345678", "+390612345678", "+80012345678",
		"+16135550123", "+12345678901", "+4420718387", "+919876543210", "+91987654321",
	} {
		parsed, err := phonenumbers.Parse(e164, "")
		if err != nil {
			t.Fatalf("parse %s: %v", e164, err)
		}
		valid := phonenumbers.IsValidNumber(parsed)
		typed := phonenumbers.GetNumberType(parsed) != phonenumbers.UNKNOWN
		if valid != typed {
			t.Errorf("%s: IsValidNumber = %t but GetNumberType known = %t", e164, valid, typed)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	csv := bigFile(10000, false)
	opts := testOptions()
	b.SetBytes(int64(len(csv)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(context.Background(), strings.NewReader(csv), opts); err != nil {
			b.Fatal(err)
		}
	}
}
