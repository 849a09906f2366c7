// Package citylens holds the types every layer shares: the one error type,
// with its codes, that one adapter turns into HTTP statuses and messages in
// the reader's language, and the CLI into English.
package citylens

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
)

// Error codes. The HTTP layer maps each to a status in one place.
const (
	EINVALID      = "invalid"                // bad input: the problems name the row, field or code at fault
	ENOTFOUND     = "not_found"              // the thing asked for does not exist
	ECONFLICT     = "conflict"               // the request clashes with the current state
	EUNAUTHORIZED = "unauthorized"           // no valid credentials
	EFORBIDDEN    = "forbidden"              // credentials valid, permission missing
	ETOOLARGE     = "too_large"              // a body, file or request over its limit
	EUNSUPPORTED  = "unsupported_media_type" // a body of a type the route does not take
	ERATELIMITED  = "rate_limited"           // too many attempts: RetryAfter says when to try again
	ECANCELED     = "canceled"               // the caller gave up (context cancelled)
	EINTERNAL     = "internal"               // a bug or an outage: details go to the log, not the user
)

// Error is the CityLens error: a code for programs, a message for people and
// the problems at fault. Domain packages word it by message-catalogue key
// and arguments (Key, Args), so that the edge shows it in the reader's
// language; Message is the English text for logs and callers that have no
// catalogue, the CLI among them (set by Ef and Errorf, or left empty when
// Key says it all).
type Error struct {
	Code       string
	Message    string
	Key        string
	Args       []any
	Problems   []Problem
	RetryAfter time.Duration // with ERATELIMITED
	Status     int           // an HTTP status finer than the code's (e.g. 422 for a batch that breaks rules); 0: the code's
	// Stack is the stack of a recovered panic (EINTERNAL), kept apart from
	// the message: for the log, never shown.
	Stack []byte
}

// Problem is one thing at fault in a request: a row and column of an
// imported file, an entry and field of a JSON batch, a form field, the city
// and indicator of a value. Reason is English; Key and Args word it for the
// catalogue.
type Problem struct {
	Row       int    `json:"row,omitempty"`
	Column    string `json:"column,omitempty"`
	Entry     *int   `json:"entry,omitempty"` // index in a batch, from 0
	City      string `json:"city,omitempty"`
	Indicator string `json:"indicator,omitempty"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason"`
	Key       string `json:"-"`
	Args      []any  `json:"-"`
}

// String is the problem in English: where it is ("row 3, column code", a
// batch's entry, the city, the indicator, a field), then why.
func (p Problem) String() string {
	var where []string
	if p.Row > 0 {
		where = append(where, fmt.Sprintf("row %d", p.Row))
	}
	if p.Entry != nil {
		where = append(where, fmt.Sprintf("entry %d", *p.Entry))
	}
	for _, w := range []string{p.City, p.Indicator} {
		if w != "" {
			where = append(where, w)
		}
	}
	switch {
	case p.Column != "" && p.Row > 0:
		where = append(where, "column "+p.Column)
	case p.Column != "":
		where = append(where, p.Column)
	}
	if p.Field != "" {
		where = append(where, p.Field)
	}
	if len(where) == 0 {
		return p.Reason
	}
	return strings.Join(where, ", ") + ": " + p.Reason
}

func (e *Error) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return keyText(e.Key, e.Args)
}

// keyText is a keyed message without its catalogue: "key (arg, arg)".
func keyText(key string, args []any) string {
	if len(args) == 0 {
		return key
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprint(a)
	}
	return key + " (" + strings.Join(parts, ", ") + ")"
}

// Errorf returns an *Error with the given code and a formatted English
// message (no catalogue key: shown as it is).
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Recovered is the error of a panic recovered while doing what: EINTERNAL,
// its message naming what panicked, the stack of the goroutine that
// panicked kept apart (Stack) for the log, so it never reaches a user.
func Recovered(what string, p any) *Error {
	e := Errorf(EINTERNAL, "%s panicked: %v", what, p)
	e.Stack = debug.Stack()
	return e
}

// E returns an *Error worded by message-catalogue key and arguments.
func E(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Ef returns an *Error worded by message-catalogue key and arguments whose
// Message is format, the key's English text, formatted with args: for the
// log and callers without a catalogue (the CLI). A test of each domain
// package checks that the catalogue's English reads the same.
func Ef(code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: fmt.Sprintf(format, args...)}
}

// Keyed returns p worded by key and args, its Reason format (the key's
// English text) formatted with args.
func (p Problem) Keyed(key, format string, args ...any) Problem {
	p.Key, p.Args, p.Reason = key, args, fmt.Sprintf(format, args...)
	return p
}

// Phrase is an argument of a keyed message that is worded in the reader's
// language too (a submission's state, a valid range): its catalogue key and
// arguments, and its English text, which it prints as.
type Phrase struct {
	Key     string
	Args    []any
	English string
}

func (p Phrase) String() string { return p.English }

// Phrasef returns the phrase of key and args, its English text format
// formatted with args.
func Phrasef(key, format string, args ...any) Phrase {
	return Phrase{Key: key, Args: args, English: fmt.Sprintf(format, args...)}
}

// MessageArg is err as an argument of another error's message (an edition
// naming its framework's error): the *Error itself, which the edge words by
// its own key, or, for any other error, its message (ErrorMessage).
func MessageArg(err error) any {
	if e := AsError(err); e != nil {
		return e
	}
	return ErrorMessage(err)
}

// ProblemsSummary lists problems in English for a message: the first few
// as text words them ("p1; p2"), then how many more, so that a file of a
// million bad rows makes a message of a few lines (Problems has them all).
func ProblemsSummary(ps []Problem, text func(Problem) string) string {
	const show = 5
	var b strings.Builder
	for i, p := range ps {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(ps)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(text(p))
	}
	return b.String()
}

// WithProblems returns e with the problems at fault.
func (e *Error) WithProblems(ps ...Problem) *Error {
	e.Problems = append(e.Problems, ps...)
	return e
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e := AsError(err); e != nil {
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
	if e := AsError(err); e != nil {
		return e.Error()
	}
	return "internal error"
}
