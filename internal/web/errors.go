package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
)

// statusOf is the one place error codes become HTTP statuses.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	var pe *problemsError
	if errors.As(err, &pe) {
		return pe.status
	}
	var rl *accounts.RateLimitError
	if errors.As(err, &rl) {
		return http.StatusTooManyRequests
	}
	switch citylens.ErrorCode(err) {
	case citylens.EINVALID:
		return http.StatusBadRequest
	case citylens.ENOTFOUND:
		return http.StatusNotFound
	case citylens.ECONFLICT:
		return http.StatusConflict
	case citylens.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case citylens.EFORBIDDEN:
		return http.StatusForbidden
	case citylens.ECANCELED:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// messageOf is what the user reads, in lang: the error's message, or for
// internal errors a generic one (the details go to the log). Errors the web
// layer words itself are in lang; domain errors keep their own words.
func (s *Server) messageOf(lang i18n.Lang, err error) string {
	var we *wordedError
	if errors.As(err, &we) {
		return wording(s.cat, lang, we)
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.msg
	}
	var rl *accounts.RateLimitError
	if errors.As(err, &rl) {
		return rl.Error()
	}
	var ve *members.ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	return citylens.ErrorMessage(err)
}

// APIError is the body of every JSON error.
type APIError struct {
	Error struct {
		Status   int       `json:"status"`
		Code     string    `json:"code"`
		Message  string    `json:"message"`
		Problems []Problem `json:"problems,omitempty"`
	} `json:"error"`
}

// Problem is one problem of a request: a row and column of an imported
// file, or an entry and field of a JSON batch.
type Problem struct {
	Row       int    `json:"row,omitempty"`
	Column    string `json:"column,omitempty"`
	Entry     *int   `json:"entry,omitempty"` // index in the batch, from 0
	Indicator string `json:"indicator,omitempty"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason"`
}

// problemsError refuses a request with every problem found in it (see
// Problem) and its status: 400 for a body that cannot be read, 422 for
// one that breaks the rules. It is an EINVALID error.
type problemsError struct {
	status   int
	msg      string
	problems []Problem
}

func (e *problemsError) Error() string { return e.msg }

func (e *problemsError) Unwrap() error { return citylens.Errorf(citylens.EINVALID, "%s", e.msg) }

// writeError answers err as JSON (API routes) or an HTML error page.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	lang := readerLang(r)
	msg := s.messageOf(lang, err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	var rl *accounts.RateLimitError
	if errors.As(err, &rl) {
		w.Header().Set("Retry-After", itoa(int64(rl.RetryAfter.Seconds())+1))
	}
	var problems []members.Problem
	var apiProblems []Problem
	var ve *members.ValidationError
	if errors.As(err, &ve) {
		problems = ve.Problems
		for _, p := range ve.Problems {
			apiProblems = append(apiProblems, Problem{Row: p.Row, Column: p.Column, Reason: p.Reason})
		}
	}
	var pe *problemsError
	if errors.As(err, &pe) {
		apiProblems = pe.problems // API routes only
	}
	if routeOf(r).API || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html") {
		msg = s.messageOf(i18n.English, err)
		var body APIError
		body.Error.Status, body.Error.Code, body.Error.Message, body.Error.Problems = status, codeName(err, status), msg, apiProblems
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="citylens"`)
		}
		writeJSON(w, status, body)
		return
	}
	statusText := http.StatusText(status)
	if key := "error.status." + itoa(int64(status)); s.cat.Has(key) {
		statusText = s.cat.T(lang, key)
	}
	var se *statusError
	if status == http.StatusInternalServerError && !errors.As(err, &se) {
		// The details are in the log. Messages of domain errors stay as the
		// domain packages wrote them, in English for now (docs/platform.md).
		msg = s.cat.T(lang, "error.internal")
	}
	s.renderStatus(w, r, status, "error.html", "Error", map[string]any{"Status": status, "StatusText": statusText, "Message": msg, "Problems": problems})
}

func codeName(err error, status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "rate_limited"
	}
	return citylens.ErrorCode(err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decodeJSON reads a JSON request body into v, strictly.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return formError(err)
		}
		return citylens.Errorf(citylens.EINVALID, "the JSON body could not be read: %v", err)
	}
	return nil
}
