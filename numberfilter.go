package numberpool

// Validate checks a filter before a store runs it. Both stores call it, so
// they reject the same filters with the same errors.
func (f NumberFilter) Validate() error {
	switch {
	case f.Page < 1:
		return Validation("page", "must be 1 or more", "invalid page %d: expected 1 or more", f.Page)
	case f.PerPage < 1 || f.PerPage > 100:
		return Validation("per_page", "must be between 1 and 100",
			"invalid per_page %d: expected 1 to 100", f.PerPage)
	case f.Status != "" && f.Status != StatusActive && f.Status != StatusSuspended && f.Status != StatusReleased:
		return Validation("status", "must be active, suspended or released",
			"invalid status filter %q: an account's list holds only active, suspended or released numbers", f.Status)
	}
	return nil
}
