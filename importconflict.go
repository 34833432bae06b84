package numberpool

// DuplicateNumber is the cause of the CONFLICT that a store returns when an
// import holds a number that is already stored or is listed twice. It lets
// a caller find the number without reading the message.
type DuplicateNumber struct {
	E164 string
}

func (d *DuplicateNumber) Error() string { return "duplicate number " + d.E164 }

// ImportConflict returns the CONFLICT error of an imported number that
// already exists, with a *DuplicateNumber as its cause.
func ImportConflict(e164 string) *Error {
	e := Errorf(CodeConflict, "number %s already exists", e164)
	e.Err = &DuplicateNumber{E164: e164}
	return e
}
