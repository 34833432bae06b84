package nsnrange

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// likeRegexp returns a regular expression that matches what the LIKE
// pattern p matches: the reference the tests check the Set against.
func likeRegexp(p string) *regexp.Regexp {
	expr := strings.NewReplacer("%", ".*", "_", ".").Replace(p)
	return regexp.MustCompile("^" + expr + "$")
}

// allStringsOf keeps what allStrings returned, by its lengths.
var allStringsOf = map[string][]string{}

// allStrings returns every digit string of the lengths, sorted as SQLite
// sorts TEXT.
func allStrings(lengths []int) []string {
	key := fmt.Sprint(lengths)
	if all, ok := allStringsOf[key]; ok {
		return all
	}
	var all []string
	for _, n := range lengths {
		for i := range int(math.Pow10(n)) {
			all = append(all, fmt.Sprintf("%0*d", n, i))
		}
	}
	slices.Sort(all)
	allStringsOf[key] = all
	return all
}

func randomPattern(r *rand.Rand) string {
	core := make([]byte, 1+r.IntN(4))
	for i := range core {
		if r.IntN(3) == 0 {
			core[i] = '_'
		} else {
			core[i] = byte('0' + r.IntN(10))
		}
	}
	forms := []string{"%%%s%%", "%s%%", "%%%s", "%s"}
	return fmt.Sprintf(forms[r.IntN(len(forms))], core)
}

func TestSetMatchesLike(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		patterns := []string{randomPattern(r)}
		if r.IntN(3) == 0 {
			patterns = append(patterns, randomPattern(r))
		}
		lengths := []int{1 + r.IntN(4)}
		if r.IntN(2) == 0 {
			lengths = append(lengths, 1+r.IntN(4))
		}
		set, ok := New(patterns, lengths)
		if !ok {
			t.Fatalf("New(%q, %v) refused", patterns, lengths)
		}

		var refs []*regexp.Regexp
		for _, p := range patterns {
			refs = append(refs, likeRegexp(p))
		}
		var want []string
		for _, s := range allStrings(lengths) {
			if matchesAll(refs, s) != set.Contains(s) {
				t.Fatalf("%q %v: Contains(%q) = %v", patterns, lengths, s, set.Contains(s))
			}
			if set.Contains(s) {
				want = append(want, s)
			}
		}
		checkNext(t, set, patterns, lengths, want, r)
		checkWalk(t, set, patterns, lengths, want, r)
	}
}

func matchesAll(refs []*regexp.Regexp, s string) bool {
	for _, ref := range refs {
		if !ref.MatchString(s) {
			return false
		}
	}
	return true
}

// checkNext compares Next from random positions, of any length, with the
// first member at or after them.
func checkNext(t *testing.T, set *Set, patterns []string, lengths []int, members []string, r *rand.Rand) {
	t.Helper()
	for range 50 {
		from := fmt.Sprintf("%06d", r.IntN(1_000_000))[:r.IntN(7)]
		i, _ := slices.BinarySearch(members, from)
		got, ok := set.Next(from)
		switch {
		case i == len(members) && ok:
			t.Fatalf("%q %v: Next(%q) = %q, want none", patterns, lengths, from, got)
		case i < len(members) && (!ok || got != members[i]):
			t.Fatalf("%q %v: Next(%q) = %q, %v, want %q", patterns, lengths, from, got, ok, members[i])
		}
	}
}

// checkWalk walks the set between random bounds, sometimes ending with
// Rest, and checks that the ranges are ordered, start at members, and hold
// every member between the bounds.
func checkWalk(t *testing.T, set *Set, patterns []string, lengths []int, members []string, r *rand.Rand) {
	t.Helper()
	from, upper := "", ":"
	if r.IntN(2) == 0 {
		from = fmt.Sprint(r.IntN(10))
		upper = from + ":"
	}
	walk := set.Walk(from, upper)
	var inRanges []string
	last := ""
	for !walk.Done() {
		next, ok := walk.Next()
		ranges := walk.Ranges(1+r.IntN(3), uint64(r.IntN(20)), 1+r.IntN(4))
		if ok != (len(ranges) > 0) || ok && next != ranges[0].From {
			t.Fatalf("%q %v: Next() = %q, %v before ranges %+v", patterns, lengths, next, ok, ranges)
		}
		if r.IntN(8) == 0 {
			if rest, ok := walk.Rest(); ok {
				ranges = append(ranges, rest)
			}
		}
		for _, rg := range ranges {
			if rg.From < last || rg.To <= rg.From || !set.Contains(rg.From) {
				t.Fatalf("%q %v: range %+v after %q", patterns, lengths, rg, last)
			}
			last = rg.To
			i, _ := slices.BinarySearch(members, rg.From)
			for ; i < len(members) && members[i] < rg.To; i++ {
				inRanges = append(inRanges, members[i])
			}
		}
	}

	var want []string
	for _, m := range members {
		if m >= from && m < upper {
			want = append(want, m)
		}
	}
	if !slices.Equal(inRanges, want) {
		t.Fatalf("%q %v from %q: ranges hold %q, want %q", patterns, lengths, from, inRanges, want)
	}
}

func TestNewRefusesOtherPatterns(t *testing.T) {
	for _, p := range []string{"%", "1%2", "12a", ""} {
		if _, ok := New([]string{p}, []int{10}); ok {
			t.Errorf("New(%q) accepted", p)
		}
	}
	if _, ok := New([]string{"%1%"}, []int{19}); ok {
		t.Error("New accepted a length of 19")
	}
}

func TestDense(t *testing.T) {
	tests := []struct {
		sorted []string
		want   bool
	}{
		{nil, true},
		{[]string{"2012000000"}, true},
		{[]string{"2012099998", "2012099999", "2022000000", "2022000001"}, true},
		{[]string{"2012000000", "2012000017", "2012000034", "2012000051"}, false},
		{[]string{"2012000000", "201200001", "2012000001", "20120000010"}, true},
		{[]string{"2012000000", "201200017", "2012000034", "20120000510"}, false},
		{[]string{"2012000000", "2012000016", "2012000032"}, true},
	}
	for _, tt := range tests {
		if got := Dense(tt.sorted, 16); got != tt.want {
			t.Errorf("Dense(%q, 16) = %v, want %v", tt.sorted, got, tt.want)
		}
	}
}
