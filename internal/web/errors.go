package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/jobs"
)

// Errors are answered here and only here: statusOf maps an error's code to
// an HTTP status, messageOf words it in the reader's language (a keyed
// citylens.Error through the message catalogues), and writeError writes an
// error page or a JSON body. An internal error never shows its text: it is
// logged with the request's id, which the page shows.

// statusOf is the one place error codes become HTTP statuses.
func statusOf(err error) int {
	if e := citylens.AsError(err); e != nil && e.Status != 0 {
		return e.Status
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
	case citylens.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case citylens.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case citylens.ERATELIMITED:
		return http.StatusTooManyRequests
	case citylens.ECANCELED:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// messageOf is what the user reads, in lang: a keyed error's message from
// the catalogue, another error's own message, and for internal errors a
// generic one (the details go to the log).
func (s *Server) messageOf(lang i18n.Lang, err error) string { return message(s.cat, lang, err) }

func message(cat *i18n.Catalog, lang i18n.Lang, err error) string {
	e := citylens.AsError(err)
	if e == nil || e.Code == citylens.EINTERNAL {
		return cat.T(lang, "error.internal")
	}
	if e.Key != "" {
		return keyed(cat, lang, e.Key, e.Args)
	}
	return e.Message
}

// keyed is a message by key in lang; a role among its arguments is named
// in lang too, and an error among them is worded as messageOf words it (a
// phrase, by the catalogue).
func (s *Server) keyed(lang i18n.Lang, key string, args []any) string {
	return keyed(s.cat, lang, key, args)
}

func keyed(cat *i18n.Catalog, lang i18n.Lang, key string, args []any) string {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case accounts.Role:
			a = label(cat, lang, "role", v)
		case *citylens.Error:
			a = message(cat, lang, v)
		}
		out[i] = a
	}
	return cat.T(lang, key, out...)
}

// jobError is a job's error as a page shows it to v in lang: a keyed one
// (a rule, an engine error naming an indicator) worded in lang; one stored
// as text (an internal error) as it is for the secretariat, which runs the
// jobs, and as "something went wrong" for anyone else.
func jobError(cat *i18n.Catalog, lang i18n.Lang, v Viewer, j jobs.Job) string {
	e := j.Err()
	switch {
	case e == nil:
		return ""
	case e.Key == "" && v.IsAdmin():
		return e.Message
	}
	return message(cat, lang, e)
}

// problemsOf are an error's problems, worded in lang.
func (s *Server) problemsOf(lang i18n.Lang, err error) []citylens.Problem {
	e := citylens.AsError(err)
	if e == nil {
		return nil
	}
	out := make([]citylens.Problem, len(e.Problems))
	for i, p := range e.Problems {
		if p.Key != "" {
			p.Reason = s.keyed(lang, p.Key, p.Args)
		}
		out[i] = p
	}
	return out
}

// ProblemReason is a problem's reason in lang: its message key's text when
// it carries one (arguments worded as in error messages), its English
// Reason otherwise. For pages that list an import's problems themselves.
func (s *Server) ProblemReason(lang i18n.Lang, p citylens.Problem) string {
	if p.Key != "" {
		return s.keyed(lang, p.Key, p.Args)
	}
	return p.Reason
}

// ProblemDocument is the body of every JSON error: an RFC 9457 problem
// document (application/problem+json) with CityLens's extension members
// (code, problems, request_id). Error repeats them in the shape the API
// answered before problem documents (kept for existing clients).
type ProblemDocument struct {
	Type      string             `json:"type"`     // a URI naming the kind of problem: urn:citylens:problem:<code>
	Title     string             `json:"title"`    // the status's text
	Status    int                `json:"status"`   // the HTTP status
	Detail    string             `json:"detail"`   // what went wrong, in English
	Instance  string             `json:"instance"` // the request's path
	Code      string             `json:"code"`
	RequestID string             `json:"request_id,omitempty"` // internal errors: quote it to the operators
	Problems  []citylens.Problem `json:"problems,omitempty"`
	Error     APIErrorDetail     `json:"error"`
}

// APIErrorDetail is a problem document's error member.
type APIErrorDetail struct {
	Status    int                `json:"status"`
	Code      string             `json:"code"`
	Message   string             `json:"message"`
	RequestID string             `json:"request_id,omitempty"`
	Problems  []citylens.Problem `json:"problems,omitempty"`
}

// APIError is the body of every JSON error (ProblemDocument).
type APIError = ProblemDocument

// problemTypeBase prefixes a problem document's type, a URN naming the
// error code.
const problemTypeBase = "urn:citylens:problem:"

// Problem is one problem of a refused request (citylens.Problem).
type Problem = citylens.Problem

// problemLine is a problem (its reason worded already) as one line of an
// error page in lang: where it is ("row 3, column code", a batch's entry,
// the city and indicator, a field), then why.
func (s *Server) problemLine(lang i18n.Lang, p citylens.Problem) string {
	var where []string
	switch {
	case p.Row > 0 && p.Column != "":
		where = append(where, s.cat.T(lang, "error.where.row_column", p.Row, p.Column))
	case p.Row > 0:
		where = append(where, s.cat.T(lang, "error.where.row", p.Row))
	}
	if p.Entry != nil {
		where = append(where, s.cat.T(lang, "error.where.entry", *p.Entry))
	}
	if p.City != "" {
		where = append(where, p.City)
	}
	if p.Indicator != "" {
		where = append(where, p.Indicator)
	}
	if p.Column != "" && p.Row == 0 {
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

// writeError answers err as JSON (API routes) or an HTML error page.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	lang := readerLang(r)
	rid := requestID(r)
	if status >= 500 {
		attrs := []any{"request_id", rid, "method", r.Method, "path", r.URL.Path, "status", status, "err", err}
		if e := citylens.AsError(err); e != nil && len(e.Stack) > 0 {
			attrs = append(attrs, "stack", string(e.Stack)) // a recovered panic's (the engine's, the data call's)
		}
		s.log.Error("request failed", attrs...)
	}
	if e := citylens.AsError(err); e != nil && e.Code == citylens.ERATELIMITED && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	}
	internal := status == http.StatusInternalServerError
	if routeOf(r).API || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html") {
		var body ProblemDocument
		body.Error.Status, body.Error.Code = status, citylens.ErrorCode(err)
		body.Error.Message, body.Error.Problems = s.messageOf(i18n.English, err), s.problemsOf(i18n.English, err)
		if internal {
			body.Error.Code, body.Error.RequestID, body.Error.Problems = citylens.EINTERNAL, rid, nil
		}
		body.Type, body.Title, body.Status = problemTypeBase+body.Error.Code, http.StatusText(status), status
		body.Detail, body.Instance, body.Code = body.Error.Message, r.URL.Path, body.Error.Code
		body.RequestID, body.Problems = body.Error.RequestID, body.Error.Problems
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="citylens"`)
		}
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		writeJSONAs(w, status, body)
		return
	}
	statusText := http.StatusText(status)
	if key := "error.status." + itoa(int64(status)); s.cat.Has(key) {
		statusText = s.cat.T(lang, key)
	}
	msg, problems := s.messageOf(lang, err), s.problemsOf(lang, err)
	if internal {
		msg, problems = s.cat.T(lang, "error.internal_ref", rid), nil
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = s.problemLine(lang, p)
	}
	s.renderStatus(w, r, status, "error.html", map[string]any{"Status": status, "StatusText": statusText, "Message": msg, "Problems": lines})
}

type requestIDKey struct{}

// withRequestID gives every request an id (X-Request-ID on the response),
// which the log and an internal error's page both show.
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-ID", id)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestID is r's id ("" outside withRequestID).
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONAs(w, status, v)
}

// writeJSONAs writes v as indented JSON with the Content-Type already set.
func writeJSONAs(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decodeJSON reads a JSON request body into v, strictly.
//
// Its text must be storable: a body that is not UTF-8, or a string (value
// or key) holding a NUL, is refused naming where.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return formError(err)
		}
		return citylens.E(citylens.EINVALID, "error.json_unreadable", err.Error())
	}
	if err := CheckJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return formError(err)
		}
		return citylens.E(citylens.EINVALID, "error.json_unreadable", err.Error())
	}
	return nil
}
