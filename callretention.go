package numberpool

import "time"

// CallRetention returns how long the row of a call is kept after the call
// ended, or after it started when no "ended" came. Until then a repeated
// "started" or "ended" event is recognised and changes nothing. It is twice
// maxCallDuration, so a row is deleted only after its call has stopped
// counting for at least a further maxCallDuration.
//
// NOTE: a "started" repeated after the row is deleted is recorded as a new
// call, which then counts for up to maxCallDuration.
func CallRetention(maxCallDuration time.Duration) time.Duration {
	return 2 * maxCallDuration
}
