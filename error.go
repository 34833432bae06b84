package numberpool

import (
	"errors"
	"fmt"
)

// Code is a stable, upper-case error code that clients switch on. The set is
// closed: every error the API returns carries one of these.
type Code string

// The error codes. VALIDATION_FAILED through INTERNAL_ERROR are the numbers
// API's documented codes; CONFLICT, RELEASE_BLOCKED, METHOD_NOT_ALLOWED and
// SERVICE_UNAVAILABLE fill the cases its pages leave without a code.
const (
	CodeValidationFailed   Code = "VALIDATION_FAILED"
	CodeUnauthorized       Code = "UNAUTHORIZED"
	CodeForbidden          Code = "FORBIDDEN"
	CodeNotFound           Code = "NOT_FOUND"
	CodeMethodNotAllowed   Code = "METHOD_NOT_ALLOWED"
	CodeConflict           Code = "CONFLICT"
	CodeReleaseBlocked     Code = "RELEASE_BLOCKED"
	CodeRateLimited        Code = "RATE_LIMITED"
	CodeInternal           Code = "INTERNAL_ERROR"
	CodeServiceUnavailable Code = "SERVICE_UNAVAILABLE"
)

// Error is a failure that a client can act on. Message is safe to show to the
// client and names the value that failed; Err, when set, is the underlying
// cause, for logs only.
type Error struct {
	Code    Code
	Message string
	Details []ErrorDetail
	Err     error
}

// ErrorDetail names one field or blocker and why it failed.
type ErrorDetail struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Validation returns a VALIDATION_FAILED error with one detail for field.
func Validation(field, reason, format string, args ...any) *Error {
	return &Error{
		Code:    CodeValidationFailed,
		Message: fmt.Sprintf(format, args...),
		Details: []ErrorDetail{{Field: field, Reason: reason}},
	}
}

// NumberNotFound returns the NOT_FOUND error for a number that the account does not
// hold. A number of another account gets the same error, so that nobody can
// probe which numbers others own.
func NumberNotFound(e164 string) *Error {
	return Errorf(CodeNotFound, "number %s not found in your account", e164)
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool {
	return err != nil && ErrorCode(err) == code
}
