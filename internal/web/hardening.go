package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
)

// The web core's defences against hostile input: HMAC-signed anonymous
// CSRF tokens and flash messages (the key is shared by every replica
// through the database), redirects after sign-in kept on this site, text
// fields refused when they hold NUL or invalid UTF-8, and JSON answers for
// unknown API paths.

// loadSecret reads (or makes, on the first start) the HMAC key every
// replica shares.
func (s *Server) loadSecret() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := s.store.ServerSecret(ctx, "web-hmac")
	if err != nil {
		return err
	}
	s.secret, err = hex.DecodeString(v)
	return err
}

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// newAnonCSRF is a fresh anonymous CSRF token: a random nonce and its MAC,
// so a cookie planted by someone else (citylens_csrf=a) is not one.
func (s *Server) newAnonCSRF() string {
	n := accounts.NewToken()
	return n + "." + s.mac("csrf", n)
}

func (s *Server) validAnonCSRF(t string) bool {
	n, sig, ok := strings.Cut(t, ".")
	return ok && len(n) >= 32 && hmac.Equal([]byte(sig), []byte(s.mac("csrf", n)))
}

// Flash messages travel in the redirect's URL as a catalogue key, its
// arguments and the reader's language, signed: a page shows a flash only
// when the signature holds and the key is a flash.* message, so a link
// cannot make a page say an attacker's words (?flash=...).
const (
	flashKeyParam  = "flash"
	flashArgsParam = "fa"
	flashLangParam = "fl"
	flashSigParam  = "fs"
)

func (s *Server) flashQuery(lang i18n.Lang, key string, args []any) string {
	b, _ := json.Marshal(args)
	if len(args) == 0 {
		b = nil
	}
	q := url.Values{flashKeyParam: {key}, flashLangParam: {string(lang)}, flashSigParam: {s.mac("flash", key, string(b), string(lang))}}
	if b != nil {
		q.Set(flashArgsParam, string(b))
	}
	return q.Encode()
}

// flashOf is the request's flash message in its language, or "".
func (s *Server) flashOf(r *http.Request) string {
	q := r.URL.Query()
	key, args, lang := q.Get(flashKeyParam), q.Get(flashArgsParam), q.Get(flashLangParam)
	if key == "" || !strings.HasPrefix(key, "flash.") || !s.cat.Has(key) ||
		!hmac.Equal([]byte(q.Get(flashSigParam)), []byte(s.mac("flash", key, args, lang))) {
		return ""
	}
	l, ok := i18n.Parse(lang)
	if !ok {
		l = readerLang(r)
	}
	return FlashMessage(s.cat, l, key, args)
}

// FlashMessage words a flash message's key and JSON arguments in lang
// (tests read redirects with it; pages check the signature first).
func FlashMessage(cat *i18n.Catalog, lang i18n.Lang, key, argsJSON string) string {
	var raw []json.RawMessage
	if argsJSON != "" {
		if err := json.Unmarshal([]byte(argsJSON), &raw); err != nil {
			return ""
		}
	}
	args := make([]any, len(raw))
	for i, a := range raw {
		var n json.Number
		var str string
		switch {
		case json.Unmarshal(a, &str) == nil:
			args[i] = str
		case json.Unmarshal(a, &n) == nil:
			if v, err := n.Int64(); err == nil {
				args[i] = v
			} else if f, err := n.Float64(); err == nil {
				args[i] = f
			}
		default:
			args[i] = string(a)
		}
	}
	return cat.T(lang, key, args...)
}

// safeNext keeps post-login redirects on this site: next must parse as a
// path of this origin (no scheme, no host, no user, no control
// characters or backslashes a browser would read as "//"); anything else
// is "/". The result is rebuilt from the parsed URL, never next itself.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

// badText reports whether s cannot be stored as text: a NUL, or bytes
// that are not UTF-8 (PostgreSQL refuses both; SQLite would keep them).
func badText(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }

// textFieldError is the 400 of a field that holds such text, naming it.
func textFieldError(field string) error {
	if badText(field) {
		field = strings.ToValidUTF8(strings.ReplaceAll(field, "\x00", ""), "?")
	}
	return citylens.E(citylens.EINVALID, "error.field_text", field).WithProblems(citylens.Problem{Field: field, Key: "error.field_text", Args: []any{field}})
}

// checkValues refuses a form's or query's field with NUL or invalid UTF-8.
func checkValues(vs url.Values) error {
	for k, v := range vs {
		if badText(k) {
			return textFieldError(k)
		}
		for _, x := range v {
			if badText(x) {
				return textFieldError(k)
			}
		}
	}
	return nil
}

// checkRequestText refuses a request whose path, query or form holds text
// that cannot be stored; multipart files' names count as fields too.
func checkRequestText(r *http.Request) error {
	if badText(r.URL.Path) {
		return textFieldError("path")
	}
	if err := checkValues(r.URL.Query()); err != nil {
		return err
	}
	if err := checkValues(r.PostForm); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		for k, fs := range r.MultipartForm.File {
			for _, f := range fs {
				if badText(f.Filename) {
					return textFieldError(k)
				}
			}
		}
	}
	return nil
}

// checkJSONText walks a decoded JSON body and names the first string
// (value or object key) that holds a NUL or invalid UTF-8, e.g.
// "values.EC-1.source".
func checkJSONText(v any, path string) error {
	switch x := v.(type) {
	case string:
		if badText(x) {
			return textFieldError(strings.TrimPrefix(path, "."))
		}
	case map[string]any:
		for k, e := range x {
			if badText(k) {
				return textFieldError(strings.TrimPrefix(path+"."+k, "."))
			}
			if err := checkJSONText(e, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkJSONText(e, path+"["+itoa(int64(i))+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckJSONText refuses a JSON body that cannot be stored as text: not
// UTF-8 (field "body"), or a string holding a NUL (named by its path, e.g.
// "values[3].source"). For areas that read a body themselves.
func CheckJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return textFieldError("body")
	}
	if bytes.Contains(body, []byte(`\u0000`)) {
		var loose any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&loose) == nil {
			return checkJSONText(loose, "")
		}
	}
	return nil
}

// uploadSlots bound the uploads being read at once, per server and per
// user: reading a file costs memory in proportion to it (within the
// readers' limits), so a few at a time keep the server's peak bounded.
type uploadSlots struct {
	mu           sync.Mutex
	max, maxUser int
	total        int
	perUser      map[int64]int
}

func (u *uploadSlots) acquire(user int64) (release func(), err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.perUser[user] >= u.maxUser {
		return nil, &citylens.Error{Code: citylens.ERATELIMITED, Key: "error.upload_busy_user", Args: []any{u.perUser[user]}, RetryAfter: 10 * time.Second}
	}
	if u.total >= u.max {
		return nil, &citylens.Error{Code: citylens.ERATELIMITED, Key: "error.upload_busy_server", Args: []any{u.total}, RetryAfter: 30 * time.Second}
	}
	u.total++
	u.perUser[user]++
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.total--
		if u.perUser[user]--; u.perUser[user] <= 0 {
			delete(u.perUser, user)
		}
	}, nil
}

// retryAfter is a Retry-After header's seconds: the wait rounded up.
func retryAfter(d time.Duration) string {
	return itoa(max(1, int64((d+time.Second-1)/time.Second)))
}

// apiNotFound answers an unknown /api/v1 path with a JSON problem document
// (RFC 9457), never the HTML 404 page.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	detail := s.cat.T(i18n.English, "error.api_not_found", r.Method, r.URL.Path)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	json.NewEncoder(w).Encode(map[string]any{
		"type": "about:blank", "title": "Not Found", "status": http.StatusNotFound,
		"detail": detail, "instance": r.URL.Path, "code": citylens.ENOTFOUND, "request_id": requestID(r),
	})
}
