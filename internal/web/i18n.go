package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/jobs"
)

// Pages speak the reader's language (render.go picks it): templates take
// their words from the message catalogues with {{t "key"}}, and the texts
// made in Go (flash messages, form errors, navigation labels, names of
// roles and states) come from the same catalogues through the helpers
// here. Errors are worded in errors.go: the domain packages' errors and
// problems carry catalogue keys (citylens.Error's Key and Args).

// langFuncs are the template functions bound to a language: the
// catalogue's {{t "key" args...}} and {{lang}}, {{label "prefix" value}}
// for a code's name (a role, a status, a state: see label),
// {{roleLabel .Role}}, {{indRange .Indicator}}, {{jobError $.Viewer .}}
// (a job's error: see jobError) and {{errorMessage .Err}} (an error as the
// error page words it).
func langFuncs(cat *i18n.Catalog, lang i18n.Lang) template.FuncMap {
	funcs := cat.Funcs(lang)
	funcs["label"] = func(prefix string, v any) string { return label(cat, lang, prefix, v) }
	funcs["roleLabel"] = func(r accounts.Role) string { return label(cat, lang, "role", r) }
	funcs["indRange"] = func(ind catalogue.Indicator) string { return indRange(cat, lang, ind) }
	funcs["jobError"] = func(v Viewer, j jobs.Job) string { return jobError(cat, lang, v, j) }
	funcs["errorMessage"] = func(err error) string { return message(cat, lang, err) }
	return funcs
}

// label is the name of a code (a role, a membership status, a submission
// or job state) in lang: the message "<prefix>.<code>". A code the
// catalogue does not know yet shows as itself rather than as a missing-key
// marker, so a state added to a domain package never breaks a page; the
// i18n tests list every known code of each prefix.
func label(cat *i18n.Catalog, lang i18n.Lang, prefix string, v any) string {
	code := fmt.Sprint(v)
	if key := prefix + "." + code; cat.Has(key) {
		return cat.T(lang, key)
	}
	return code
}

// indRange is an indicator's valid range in lang.
func indRange(cat *i18n.Catalog, lang i18n.Lang, ind catalogue.Indicator) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch {
	case ind.Min != nil && ind.Max != nil:
		return cat.T(lang, "cat.range.between", f(*ind.Min), f(*ind.Max))
	case ind.Min != nil:
		return cat.T(lang, "cat.range.min", f(*ind.Min))
	case ind.Max != nil:
		return cat.T(lang, "cat.range.max", f(*ind.Max))
	}
	return cat.T(lang, "cat.range.any")
}

// readerLang is requestLang without setting the cookie: the reader's
// language for texts made in Go (flash messages, form errors).
func readerLang(r *http.Request) i18n.Lang {
	choice := r.URL.Query().Get("lang")
	if _, ok := i18n.Parse(choice); !ok {
		choice = ""
		if c, err := r.Cookie(langCookie); err == nil {
			choice = c.Value
		}
	}
	return i18n.Negotiate(choice, r.Header.Get("Accept-Language"))
}

// tr is the catalogue's message key, with args, in the reader's language.
func (s *Server) tr(r *http.Request, key string, args ...any) string {
	return s.cat.T(readerLang(r), key, args...)
}

// redirectFlash redirects to target (a path, perhaps with a query) with a
// flash message: the catalogue's key in the reader's language. The message
// travels in the URL, so the next page shows it in the same language.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, target, key string, args ...any) {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+s.flashQuery(readerLang(r), key, args), http.StatusSeeOther)
}

// worded is an error with a citylens code and a catalogue message.
func worded(code, key string, args ...any) error { return citylens.E(code, key, args...) }

// wordedStatus is an error with an HTTP status that is not one of the codes'
// (413, 415) and a catalogue message.
func wordedStatus(status int, key string, args ...any) error {
	e := citylens.E(citylens.EINVALID, key, args...)
	switch status {
	case http.StatusRequestEntityTooLarge:
		e.Code = citylens.ETOOLARGE
	case http.StatusUnsupportedMediaType:
		e.Code = citylens.EUNSUPPORTED
	default:
		e.Status = status
	}
	return e
}
