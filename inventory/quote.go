package inventory

import "strconv"

// maxQuoted is how many characters of a value a message repeats.
const maxQuoted = 40

// quote returns s quoted for a message, cut to maxQuoted characters and
// followed by "..." when it was longer, so that a huge field or header name
// cannot flood the output.
func quote(s string) string {
	count := 0
	for i := range s {
		if count == maxQuoted {
			return strconv.Quote(s[:i]) + "..."
		}
		count++
	}
	return strconv.Quote(s)
}
