// Package citylens holds the types every layer shares: the error codes that one
// adapter turns into HTTP statuses and CLI messages.
package citylens

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to a status in one place.
const (
	EINVALID      = "invalid"      // bad input: the message names the row, field or code at fault
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials valid, permission missing
	ECANCELED     = "canceled"     // the caller gave up (context cancelled)
	EINTERNAL     = "internal"     // a bug or an outage: details go to the log, not the user
)

// Error is a CityLens error: a code for programs and a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for other errors, whose text may hold internal details.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
