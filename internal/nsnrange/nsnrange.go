// Package nsnrange finds where in the sorted order of national numbers the
// matches of digit patterns can lie, so that a search can seek from one
// stretch of possible matches to the next instead of testing every number
// in between.
package nsnrange

import "strings"

// maxCombos bounds the ways the patterns of a Set may align at one length.
// Two patterns of one digit each in a 15-digit number give 225.
const maxCombos = 1024

// maxLength is the longest string a Set holds, so that a Walk can compare
// strings as uint64 numbers. National numbers have at most 15 digits.
const maxLength = 18

// A Set is the digit strings of some lengths that match every one of a list
// of LIKE patterns. Strings compare as SQLite compares TEXT: byte by byte,
// a prefix before the longer string.
type Set struct {
	lengths []int
	// combos holds, for each length, the ways the patterns can all match at
	// once: the digit that each position must hold, or 0 where it is free.
	combos map[int][][]byte
}

// Range is the strings from From up to but not including To.
type Range struct {
	From, To string
}

// New returns the set of digit strings whose length is one of lengths and
// that match every pattern. A pattern holds digits and "_" (any one digit),
// with "%" (any run) allowed only at either end. It returns false when a
// pattern has another form, or the patterns align in too many ways for a
// walk to be cheap.
func New(patterns []string, lengths []int) (*Set, bool) {
	parsed := make([]pattern, 0, len(patterns))
	for _, p := range patterns {
		pat, ok := parsePattern(p)
		if !ok {
			return nil, false
		}
		parsed = append(parsed, pat)
	}

	s := &Set{combos: make(map[int][][]byte)}
	for _, length := range lengths {
		if length < 1 || length > maxLength {
			return nil, false
		}
		if s.combos[length] != nil {
			continue
		}
		combos, ok := alignAll(parsed, length)
		if !ok {
			return nil, false
		}
		s.lengths = append(s.lengths, length)
		s.combos[length] = combos
	}
	return s, true
}

// pattern is a LIKE pattern: its core of digits and "_", and whether it is
// anchored at the start and at the end of the string.
type pattern struct {
	core          string
	anchoredStart bool
	anchoredEnd   bool
}

func parsePattern(like string) (pattern, bool) {
	p := pattern{
		core:          strings.Trim(like, "%"),
		anchoredStart: !strings.HasPrefix(like, "%"),
		anchoredEnd:   !strings.HasSuffix(like, "%"),
	}
	if p.core == "" {
		return pattern{}, false
	}
	for i := 0; i < len(p.core); i++ {
		if c := p.core[i]; c != '_' && (c < '0' || c > '9') {
			return pattern{}, false
		}
	}
	return p, true
}

// offsets returns where p can start in a string of length n.
func (p pattern) offsets(n int) []int {
	last := n - len(p.core)
	switch {
	case last < 0:
		return nil
	case p.anchoredStart && p.anchoredEnd:
		if last != 0 {
			return nil
		}
		return []int{0}
	case p.anchoredStart:
		return []int{0}
	case p.anchoredEnd:
		return []int{last}
	}
	offsets := make([]int, last+1)
	for i := range offsets {
		offsets[i] = i
	}
	return offsets
}

// alignAll returns every consistent way to place all patterns in a string
// of length n, each as the digits it fixes. Duplicates are dropped.
func alignAll(patterns []pattern, n int) ([][]byte, bool) {
	combos := [][]byte{make([]byte, n)}
	for _, p := range patterns {
		var next [][]byte
		for _, combo := range combos {
			for _, at := range p.offsets(n) {
				if placed, ok := place(combo, p.core, at); ok {
					next = append(next, placed)
				}
			}
		}
		if len(next) > maxCombos {
			return nil, false
		}
		combos = next
	}
	return dedupe(combos), true
}

// place returns combo with core placed at offset at, or false when a digit
// of core disagrees with one that combo fixes.
func place(combo []byte, core string, at int) ([]byte, bool) {
	placed := append([]byte(nil), combo...)
	for i := 0; i < len(core); i++ {
		c := core[i]
		if c == '_' {
			continue
		}
		if placed[at+i] != 0 && placed[at+i] != c {
			return nil, false
		}
		placed[at+i] = c
	}
	return placed, true
}

func dedupe(combos [][]byte) [][]byte {
	seen := make(map[string]bool, len(combos))
	out := combos[:0]
	for _, c := range combos {
		if !seen[string(c)] {
			seen[string(c)] = true
			out = append(out, c)
		}
	}
	return out
}

// Contains reports whether str is in the set.
func (s *Set) Contains(str string) bool {
	for _, combo := range s.combos[len(str)] {
		if fits(combo, str) {
			return true
		}
	}
	return false
}

func fits(combo []byte, str string) bool {
	for i, c := range combo {
		if c != 0 && str[i] != c {
			return false
		}
	}
	return true
}

// Next returns the smallest string of the set at or after from.
func (s *Set) Next(from string) (string, bool) {
	var best string
	found := false
	for _, n := range s.lengths {
		target, ok := firstOfLength(from, n)
		if !ok {
			continue
		}
		for _, combo := range s.combos[n] {
			if c, ok := nextFitting(combo, target); ok && (!found || c < best) {
				best, found = c, true
			}
		}
	}
	return best, found
}

// firstOfLength returns the smallest digit string of length n at or after
// from, which is from itself, from padded with zeros, or the string after
// from cut to n digits. From may end in a byte above '9', as a bound after
// every string with the digits before it does.
func firstOfLength(from string, n int) (string, bool) {
	if i := strings.IndexFunc(from, notDigit); i >= 0 && i < n {
		if from[i] < '0' {
			return firstOfLength(from[:i], n)
		}
		head, ok := increment(from[:i])
		return head + strings.Repeat("0", n-i), ok && i > 0
	}
	switch {
	case len(from) == n:
		return from, true
	case len(from) < n:
		return from + strings.Repeat("0", n-len(from)), true
	}
	return increment(from[:n])
}

func notDigit(r rune) bool {
	return r < '0' || r > '9'
}

// increment returns the digit string after s of the same length, or false
// when s is all nines.
func increment(s string) (string, bool) {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b), true
		}
		b[i] = '0'
	}
	return "", false
}

// nextFitting returns the smallest string at or after target, of its
// length, that holds the digits combo fixes.
func nextFitting(combo []byte, target string) (string, bool) {
	// The longest prefix of target that fits: target itself, or a string
	// that keeps a shorter prefix and raises the digit after it.
	agree := 0
	for agree < len(target) && (combo[agree] == 0 || combo[agree] == target[agree]) {
		agree++
	}
	if agree == len(target) {
		return target, true
	}

	for i := agree; i >= 0; i-- {
		var digit byte
		switch {
		case combo[i] != 0 && combo[i] > target[i]:
			digit = combo[i]
		case combo[i] == 0 && target[i] < '9':
			digit = target[i] + 1
		default:
			continue
		}
		b := []byte(target[:i])
		b = append(b, digit)
		for _, c := range combo[i+1:] {
			b = append(b, max(c, '0'))
		}
		return string(b), true
	}
	return "", false
}

// runEnd returns the end of the run of the set's strings that starts at
// start, a string of the set. The end is the first later string of start's
// length that is not in the set, or the string after the last one of that
// length when the run reaches it.
func (s *Set) runEnd(start string) string {
	end := start
	for {
		var next string
		for _, combo := range s.combos[len(end)] {
			if !fits(combo, end) {
				continue
			}
			// Every string that shares end's digits up to the last one
			// combo fixes fits it too.
			blockEnd, ok := afterBlock(end, lastFixed(combo))
			if !ok {
				return strings.Repeat("9", len(start)) + "0"
			}
			next = max(next, blockEnd)
		}
		if next == "" {
			return end
		}
		end = next
	}
}

// afterBlock returns the first string of s's length after every string that
// shares s's digits up to position last, or false when none is.
func afterBlock(s string, last int) (string, bool) {
	head, ok := increment(s[:last+1])
	if !ok {
		return "", false
	}
	return head + strings.Repeat("0", len(s)-last-1), true
}

func lastFixed(combo []byte) int {
	for i := len(combo) - 1; i >= 0; i-- {
		if combo[i] != 0 {
			return i
		}
	}
	return -1
}
