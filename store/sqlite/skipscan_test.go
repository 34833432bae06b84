package sqlite

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"numberpool"
)

// TestSkipScanMatchesReference walks random searches with digit patterns
// page by page and compares the pages with the matches that Go computes
// from all the rows of the country. The pool has dense blocks, scattered
// numbers, numbers of unusual lengths, owned numbers and cooled-off ones.
func TestSkipScanMatchesReference(t *testing.T) {
	defer func(first, budget, chunk, maxChunk int) {
		gramFirstBudget, gramBudget, plainChunk, maxPlainChunk = first, budget, chunk, maxChunk
	}(gramFirstBudget, gramBudget, plainChunk, maxPlainChunk)
	gramFirstBudget, gramBudget, plainChunk, maxPlainChunk = 5, 20, 10, 160

	s, clock := newTestStore(t)
	importSkipScanPool(t, s)
	if _, err := s.IndexGrams(t.Context(), 100_000); err != nil {
		t.Fatalf("IndexGrams: %v", err)
	}
	clock.Set(t0.Add(40 * 24 * time.Hour))

	r := rand.New(rand.NewPCG(7, 7))
	skipScans := 0
	for i := range 80 {
		f := randomPatternFilter(r)
		q, err := f.Query()
		if err != nil {
			t.Fatalf("filter %+v: %v", f, err)
		}
		switch i {
		case 40:
			// Later pages merge cooled-off numbers that the sweeper has
			// not returned into the skip scan.
			releaseSome(t, s, clock)
		case 60:
			// So do numbers whose 4-grams are not indexed yet, for
			// searches with a 4-gram.
			importPending(t, s)
		}
		if usesSkipScan(t, s, q) {
			skipScans++
		}

		want := referenceMatches(t, s, q)
		var got []string
		for page := 1; page <= len(want)/f.PerPage+2; page++ {
			f.Page = page
			result, err := s.SearchInventory(t.Context(), f)
			if err != nil {
				t.Fatalf("SearchInventory(%+v): %v", f, err)
			}
			for _, n := range result.Numbers {
				got = append(got, n.E164)
			}
			if len(result.Numbers) == 0 && (result.Total != len(want) || result.TotalCapped) {
				t.Fatalf("search %+v: total %d (capped %t) past the end, want %d", f, result.Total, result.TotalCapped, len(want))
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("search %+v: pages differ from the reference (-want +got):\n%s", f, diff)
		}
	}
	if skipScans < 40 {
		t.Errorf("%d of 80 searches used a skip scan, want at least 40", skipScans)
	}
}

// importSkipScanPool imports the pool of TestSkipScanMatchesReference. It
// has US blocks of consecutive numbers with one in seven owned, numbers
// scattered over an area code, and US numbers of 7, 11 and 14 digits. A
// 14-digit number can hold a pattern after a number of the block, so the
// scan reads chunks in order there. A few mobile, toll-free and British numbers of two
// lengths complete it.
func importSkipScanPool(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.CreateAccount(t.Context(), "acc_a"); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var ns []numberpool.Number
	add := func(e164, country string, typ numberpool.NumberType, owned bool) {
		n := numberpool.Number{E164: e164, Country: country, Type: typ, Status: numberpool.StatusAvailable}
		if r.IntN(2) == 0 {
			n.Capabilities = []numberpool.Capability{numberpool.CapabilityVoice, numberpool.CapabilitySMS}
		}
		if owned {
			n.Status, n.AccountID, n.PurchasedAt = numberpool.StatusActive, "acc_a", t0
		}
		ns = append(ns, n)
	}
	for i := range 3000 {
		add(fmt.Sprintf("+1201200%04d", i), "US", numberpool.TypeLocal, i%7 == 0)
		add(fmt.Sprintf("+1202999%04d", 9999-i), "US", numberpool.TypeLocal, i%7 == 3)
	}
	for range 1500 {
		add(fmt.Sprintf("+1303%07d", r.IntN(10_000_000)), "US", numberpool.TypeLocal, false)
	}
	for i := range 40 {
		add(fmt.Sprintf("+1%07d", 9_000_000+i*137), "US", numberpool.TypeLocal, false)
		add(fmt.Sprintf("+1201200%05d", i*2311), "US", numberpool.TypeLocal, false)
		add(fmt.Sprintf("+1202999%08d", i*2311), "US", numberpool.TypeLocal, false)
		add(fmt.Sprintf("+1415555%04d", i*251), "US", numberpool.TypeMobile, false)
		add(fmt.Sprintf("+1800555%04d", i*241), "US", numberpool.TypeTollFree, false)
		add(fmt.Sprintf("+44207946%04d", i*199), "GB", numberpool.TypeLocal, false)
		add(fmt.Sprintf("+4416977%04d", i*223), "GB", numberpool.TypeLocal, false)
	}

	seen := map[string]bool{}
	ns = slices.DeleteFunc(ns, func(n numberpool.Number) bool {
		dup := seen[n.E164]
		seen[n.E164] = true
		return dup
	})
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
}

// releaseSome releases 286 owned numbers of the two blocks at the clock's
// time and moves the clock past their cooling-off period, without a sweep.
func releaseSome(t *testing.T, s *Store, clock *numberpool.ManualClock) {
	t.Helper()
	for i := 0; i < 3000; i += 21 {
		for _, e164 := range []string{fmt.Sprintf("+1201200%04d", i), fmt.Sprintf("+1202999%04d", 9999-i-3)} {
			if _, err := s.ReleaseNumber(t.Context(), "acc_a", e164); err != nil {
				t.Fatalf("ReleaseNumber(%s): %v", e164, err)
			}
		}
	}
	clock.Set(clock.Now().Add(31 * 24 * time.Hour))
}

// importPending imports numbers whose 4-grams stay pending.
func importPending(t *testing.T, s *Store) {
	t.Helper()
	var ns []numberpool.Number
	for i := range 30 {
		ns = append(ns, numberpool.Number{E164: fmt.Sprintf("+1201200%04d", 3000+i*3), Country: "US",
			Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable})
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
}

// randomPatternFilter returns a US or GB search with a contains filter of
// digits and wildcards, with or without four consecutive digits, or an
// ends_with filter, or both. Some have a prefix, a type or a capability.
func randomPatternFilter(r *rand.Rand) numberpool.SearchFilter {
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	f := numberpool.SearchFilter{Country: "US", Page: 1, PerPage: 5 + r.IntN(36)}
	if r.IntN(8) == 0 {
		f.Country = "GB"
	}
	switch r.IntN(6) {
	case 0:
		f.EndsWith = digits(3 + r.IntN(2))
	case 4:
		f.Contains = digits(1) + "*" + "20" + digits(2)
	case 5:
		f.Contains = "00" + digits(2)
	case 1:
		f.Contains = digits(1) + "*" + digits(1) + strings.Repeat("*", r.IntN(2)) + digits(2)
		f.EndsWith = digits(1)
	default:
		f.Contains = digits(1) + "*" + digits(1+r.IntN(2)) + "*" + digits(1)
	}
	switch r.IntN(6) {
	case 0:
		f.StartsWith = map[string]string{"US": "2012", "GB": "1697"}[f.Country]
	case 1:
		f.Type = numberpool.TypeLocal
	case 2:
		f.Capabilities = []numberpool.Capability{numberpool.CapabilitySMS}
	}
	return f
}

// usesSkipScan reports whether SearchInventory reads the page of q with a
// skip scan at the store's clock time.
func usesSkipScan(t *testing.T, s *Store, q numberpool.SearchQuery) bool {
	t.Helper()
	var ok bool
	err := s.read(t.Context(), "test", func(tx *sql.Tx) error {
		args := append(buildSearch(q).args, sql.Named("now", numberpool.NowSeconds(s.clock).Unix()))
		var err error
		_, ok, err = skipScanSet(t.Context(), tx, q, args)
		return err
	})
	if err != nil {
		t.Fatalf("skipScanSet: %v", err)
	}
	return ok
}

// referenceMatches returns, in search order, the numbers of the country
// that are available, or released with their cooling-off period over, and
// that match q, tested in Go.
func referenceMatches(t *testing.T, s *Store, q numberpool.SearchQuery) []string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `
		SELECT e164, nsn, type, capabilities FROM numbers
		WHERE country = ? AND (status = 'available' OR (status = 'released' AND available_after <= ?))
		ORDER BY nsn, e164`, q.Country, numberpool.NowSeconds(s.clock).Unix())
	if err != nil {
		t.Fatalf("select the country's numbers: %v", err)
	}
	defer rows.Close()

	var patterns []*regexp.Regexp
	for _, p := range q.NSNPatterns {
		patterns = append(patterns, regexp.MustCompile("^"+strings.NewReplacer("%", ".*", "_", ".").Replace(p)+"$"))
	}
	bits := encodeCapabilities(q.Capabilities)
	var matches []string
	for rows.Next() {
		var e164, nsn, typ string
		var capabilities int64
		if err := rows.Scan(&e164, &nsn, &typ, &capabilities); err != nil {
			t.Fatalf("scan: %v", err)
		}
		ok := strings.HasPrefix(nsn, q.NSNPrefix) && (q.Type == "" || string(q.Type) == typ) && capabilities&bits == bits
		for _, p := range patterns {
			ok = ok && p.MatchString(nsn)
		}
		if ok {
			matches = append(matches, e164)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return matches
}

// TestNSNLengths checks that the lengths of national numbers follow every
// insert, including one made with plain SQL.
func TestNSNLengths(t *testing.T) {
	s, _ := newTestStore(t)
	ns := []numberpool.Number{
		{E164: "+12015550100", Country: "US", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
		{E164: "+442079460000", Country: "GB", Type: numberpool.TypeLocal, Status: numberpool.StatusAvailable},
	}
	if _, err := s.ImportNumbers(t.Context(), slices.Values(ns)); err != nil {
		t.Fatalf("ImportNumbers: %v", err)
	}
	db := openFile(t, s.path)
	mustExec(t, db, `INSERT INTO numbers (e164, country, type, status, created_at, updated_at)
		VALUES ('+1555123', 'US', 'local', 'available', 0, 0)`)

	got := map[string][]int{}
	rows, err := db.QueryContext(t.Context(), `SELECT country, length FROM nsn_lengths ORDER BY country, length`)
	if err != nil {
		t.Fatalf("select lengths: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var country string
		var n int
		if err := rows.Scan(&country, &n); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got[country] = append(got[country], n)
	}
	want := map[string][]int{"GB": {10}, "US": {6, 10}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lengths (-want +got):\n%s", diff)
	}
}
