// Package notifyweb is the notifications' part of the web layer: the
// inbox (with the unread count in the navigation), each person's delivery
// choice per kind, and the one-click unsubscribe that e-mail links to,
// which works without signing in. Handlers call the notify service.
package notifyweb

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/web"
)

// Area is the notifications web area.
type Area struct {
	svc *notify.Service
	s   *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the notifications area.
func New(svc *notify.Service) *Area { return &Area{svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the area's pages (notify_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// Register adds the inbox, preferences and unsubscribe routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /inbox", web.AccessSignedIn, a.inbox)
	s.Page("POST /inbox/read", web.AccessSignedIn, a.markRead)
	s.Page("GET /notifications/preferences", web.AccessSignedIn, a.prefsPage)
	s.Page("POST /notifications/preferences", web.AccessSignedIn, a.savePrefs)
	s.Page("GET /notifications/unsubscribe", web.AccessPublic, a.unsubscribePage)
	s.Page("POST /notifications/unsubscribe", web.AccessPublic, a.unsubscribe, web.SignedByLink())
	a.registerAPI(s)
}

// Nav links the inbox with its unread count.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	if !v.SignedIn() || v.Token != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, _ := a.svc.Unread(ctx, v.User.ID)
	return []web.NavLink{{Href: "/inbox", Label: "nav.inbox", Count: n}}
}

// noticeView is one notice as the inbox shows it.
type noticeView struct {
	ID      int64
	Subject string
	Body    string
	URL     string
	Created time.Time
	Unread  bool
}

type inboxData struct {
	Notices []noticeView
	Unread  int
	Next    string
}

// pageSize is the inbox's page.
const pageSize = 50

func (a *Area) inbox(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	lang := web.RequestLang(w, r)
	var before int64
	if c := r.URL.Query().Get("before"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n <= 0 {
			return citylens.E(citylens.EINVALID, "notify.error.cursor", c)
		}
		before = n
	}
	ns, err := a.svc.Inbox(r.Context(), v.User.ID, before, pageSize)
	if err != nil {
		return err
	}
	unread, err := a.svc.Unread(r.Context(), v.User.ID)
	if err != nil {
		return err
	}
	d := inboxData{Unread: unread}
	for _, n := range ns {
		d.Notices = append(d.Notices, noticeView{ID: n.ID, Subject: a.svc.Subject(lang, n), Body: a.svc.Body(lang, n), URL: n.URL,
			Created: n.CreatedAt, Unread: n.ReadAt.IsZero()})
	}
	if len(ns) == pageSize {
		d.Next = "/inbox?before=" + strconv.FormatInt(ns[len(ns)-1].ID, 10)
	}
	return a.s.Render(w, r, "notify_inbox.html", d)
}

func (a *Area) markRead(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	if err := r.ParseForm(); err != nil {
		return web.FormError(err)
	}
	all := r.PostForm.Get("all") == "1"
	var ids []int64
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return citylens.E(citylens.EINVALID, "notify.error.id", s)
		}
		ids = append(ids, id)
	}
	n, err := a.svc.MarkRead(r.Context(), v.User.ID, ids, all)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/inbox", "flash.notify.read", n)
	return nil
}

type prefRow struct {
	Kind  string
	Mode  notify.Mode
	Modes []notify.Mode
}

type prefsData struct {
	Rows  []prefRow
	Modes []notify.Mode
	Lang  string
	Langs []i18n.Lang
	Error string
	// Problems name each kind or field at fault.
	Problems []string
}

func (a *Area) prefsData(r *http.Request, user int64) (prefsData, error) {
	p, err := a.svc.Preferences(r.Context(), user)
	if err != nil {
		return prefsData{}, err
	}
	lang, err := a.svc.Lang(r.Context(), user)
	if err != nil {
		return prefsData{}, err
	}
	d := prefsData{Lang: string(lang), Langs: i18n.Languages(), Modes: notify.Modes}
	for _, k := range p.Kinds {
		d.Rows = append(d.Rows, prefRow{Kind: k.Kind, Mode: k.Mode, Modes: notify.Modes})
	}
	return d, nil
}

func (a *Area) prefsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := a.prefsData(r, web.ViewerOf(r).User.ID)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "notify_prefs.html", d)
}

func (a *Area) savePrefs(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	if err := r.ParseForm(); err != nil {
		return web.FormError(err)
	}
	modes := map[string]notify.Mode{}
	for _, k := range a.svc.Kinds() {
		if m := r.PostForm.Get("mode." + k); m != "" {
			modes[k] = notify.Mode(m)
		}
	}
	err := a.svc.SetPreferences(r.Context(), v.User.ID, modes, i18n.Lang(r.PostForm.Get("lang")))
	if citylens.ErrorCode(err) == citylens.EINVALID {
		d, derr := a.prefsData(r, v.User.ID)
		if derr != nil {
			return derr
		}
		lang := web.ReaderLang(r)
		d.Error = a.s.Message(lang, err)
		if e := citylens.AsError(err); e != nil {
			for _, p := range e.Problems {
				d.Problems = append(d.Problems, a.s.ProblemReason(lang, p))
			}
		}
		return a.s.RenderStatus(w, r, http.StatusUnprocessableEntity, "notify_prefs.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/notifications/preferences", "flash.notify.saved")
	return nil
}

type unsubscribeData struct {
	Token string
	Kinds []string
	Done  bool
}

func (a *Area) unsubscribePage(w http.ResponseWriter, r *http.Request) error {
	t := r.URL.Query().Get("t")
	_, kinds, err := a.svc.CheckUnsubscribe(t)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "notify_unsubscribe.html", unsubscribeData{Token: t, Kinds: kinds})
}

// unsubscribe is the one-click POST (RFC 8058: the body is
// "List-Unsubscribe=One-Click"; the token is in the URL) and the page's
// button alike.
func (a *Area) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	_, kinds, err := a.svc.Unsubscribe(r.Context(), r.URL.Query().Get("t"))
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "notify_unsubscribe.html", unsubscribeData{Kinds: kinds, Done: true})
}
