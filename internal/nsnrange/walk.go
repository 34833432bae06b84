package nsnrange

import "strconv"

// A Walk goes through the strings of a Set in order, from a position up to
// a bound, handing out the ranges that hold them.
type Walk struct {
	set   *Set
	at    string // the string from which the next range is looked for
	upper string // no range reaches this string or beyond
	done  bool
}

// Walk returns a walk of the set's strings from from on and before upper.
func (s *Set) Walk(from, upper string) *Walk {
	return &Walk{set: s, at: from, upper: upper}
}

// Done reports whether the ranges handed out so far hold every string of
// the walk.
func (w *Walk) Done() bool {
	return w.done
}

// Next returns the first string of the set at or after the walk's position
// and before its bound, without moving the walk.
func (w *Walk) Next() (string, bool) {
	if w.done {
		return "", false
	}
	next, ok := w.set.Next(w.at)
	if !ok || next >= w.upper {
		return "", false
	}
	return next, true
}

// Ranges returns up to n more ranges, in order. A range starts at a string
// of the set and covers a run of them. Runs that follow within gap strings,
// as within measures, join it, up to maxRuns runs, so a range may also hold
// strings outside the set, as well as strings of other lengths. No string
// of the set lies between two ranges.
func (w *Walk) Ranges(n int, gap uint64, maxRuns int) []Range {
	var ranges []Range
	for len(ranges) < n && !w.done {
		start, ok := w.set.Next(w.at)
		if !ok || start >= w.upper {
			w.done = true
			break
		}

		end := w.set.runEnd(start)
		for runs := 1; runs < maxRuns && end < w.upper; runs++ {
			next, ok := w.set.Next(end)
			if !ok || next >= w.upper || !within(end, next, gap) {
				break
			}
			end = w.set.runEnd(next)
		}

		if end >= w.upper {
			end, w.done = w.upper, true
		}
		ranges = append(ranges, Range{From: start, To: end})
		w.at = end
	}
	return ranges
}

// SkipTo moves the walk on to at, when at is further, as the caller knows
// that no string it wants lies before at. It reports whether that moved
// the walk gap strings or more, as within measures.
func (w *Walk) SkipTo(at string, gap uint64) bool {
	if at <= w.at {
		return false
	}
	far := !within(w.at, at, gap)
	w.at = at
	return far
}

// within reports whether next follows end, both digit strings, by fewer
// than gap strings of the shorter one's length. Strings of two lengths are
// compared by their first digits, because in sorted order a longer string
// lies beside the shorter ones it starts with.
func within(end, next string, gap uint64) bool {
	n := min(len(end), len(next))
	a, errA := strconv.ParseUint(end[:n], 10, 64)
	b, errB := strconv.ParseUint(next[:n], 10, 64)
	return errA == nil && errB == nil && b >= a && b-a < gap
}

// Rest returns one range that holds every string of the set left in the
// walk, from the first of them to the walk's bound, and ends the walk. It
// returns false when no string is left.
func (w *Walk) Rest() (Range, bool) {
	start, ok := w.set.Next(w.at)
	w.done = true
	if !ok || start >= w.upper {
		return Range{}, false
	}
	w.at = w.upper
	return Range{From: start, To: w.upper}, true
}

// Dense reports whether most of the sorted strings follow the one before
// them within gap strings, as within measures: whether the strings that the
// ranges of a Walk cover are mostly there, so that seeking past the others
// pays. Most, rather than on average, so that a few large gaps, as at the
// end of a block of consecutive numbers, do not count.
func Dense(sorted []string, gap uint64) bool {
	near := 0
	for i := 1; i < len(sorted); i++ {
		if within(sorted[i-1], sorted[i], gap+1) {
			near++
		}
	}
	return 2*near >= len(sorted)-1
}

// GapsWithMatches returns how many of the sorted strings are in the set or
// are followed, before the next of them, by a string of the set. The last
// string does not count.
func (s *Set) GapsWithMatches(sorted []string) int {
	n := 0
	for i := 0; i+1 < len(sorted); i++ {
		if next, ok := s.Next(sorted[i]); ok && next < sorted[i+1] {
			n++
		}
	}
	return n
}
