package notifyweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/web"
)

// The inbox API: the caller's notices, newest first, a page at a time,
// and marking them read, through the same service calls as /inbox.

var (
	_ web.AreaAPI        = (*Area)(nil)
	_ web.AreaSchemaDocs = (*Area)(nil)
)

// apiPages bound the inbox API's pages.
var apiPages = web.PageLimits{Default: 50, Max: 200}

// maxMarkIDs bounds the notices one call marks read (notify.Service.MarkRead).
const maxMarkIDs = 500

func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/me/inbox", web.AccessSignedIn, a.apiInbox)
	s.API("POST /api/v1/me/inbox/read", web.AccessSignedIn, a.apiMarkRead)
}

// inboxBody is a page of the caller's notices.
type inboxBody struct {
	Notices []inboxNotice `json:"notices"`
	Unread  int           `json:"unread"`
	web.Paginated
}

// inboxNotice is one notice, worded in the reader's language.
type inboxNotice struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// inboxReadRequest names the notices to mark read, or all of them.
type inboxReadRequest struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

// inboxReadBody is what marking did.
type inboxReadBody struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// apiInbox answers a page of the caller's notices. The inbox grows while
// it is read, so its cursor is a position by notice (the notices older
// than the page's last), not an offset: a client that follows it reads
// each notice once however many arrive meanwhile.
func (a *Area) apiInbox(w http.ResponseWriter, r *http.Request) error {
	before, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	user := web.ViewerOf(r).User.ID
	ns, err := a.svc.Inbox(r.Context(), user, int64(before), limit+1)
	if err != nil {
		return err
	}
	unread, err := a.svc.Unread(r.Context(), user)
	if err != nil {
		return err
	}
	out := inboxBody{Notices: []inboxNotice{}, Unread: unread}
	if len(ns) > limit {
		ns = ns[:limit]
		next := web.Cursor(int(ns[limit-1].ID))
		out.NextCursor = &next
		q := r.URL.Query()
		q.Set("cursor", next)
		w.Header().Add("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	lang := web.ReaderLang(r)
	if _, chosen := i18n.Parse(r.URL.Query().Get("lang")); !chosen {
		lang = i18n.English // the API's language unless ?lang= asks another
	}
	for _, n := range ns {
		it := inboxNotice{ID: n.ID, Kind: n.Kind, Subject: a.svc.Subject(lang, n), Body: a.svc.Body(lang, n), URL: n.URL, CreatedAt: n.CreatedAt}
		if !n.ReadAt.IsZero() {
			at := n.ReadAt
			it.ReadAt = &at
		}
		out.Notices = append(out.Notices, it)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiMarkRead(w http.ResponseWriter, r *http.Request) error {
	var req inboxReadRequest
	if err := web.DecodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.IDs) > maxMarkIDs {
		return citylens.E(citylens.EINVALID, "notify.error.too_many")
	}
	if len(req.IDs) == 0 && !req.All {
		return citylens.Ef(citylens.EINVALID, "notify.error.nothing", "name the notices to mark read (ids) or all of them (all)")
	}
	for _, id := range req.IDs {
		if id <= 0 {
			return citylens.E(citylens.EINVALID, "notify.error.id", strconv.FormatInt(id, 10))
		}
	}
	user := web.ViewerOf(r).User.ID
	n, err := a.svc.MarkRead(r.Context(), user, req.IDs, req.All)
	if err != nil {
		return err
	}
	unread, err := a.svc.Unread(r.Context(), user)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, inboxReadBody{Marked: n, Unread: unread})
	return nil
}

// APIOperations describe the inbox API's routes.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/me/inbox", ID: "listInbox", Tag: "notifications",
			Query:       append(web.PageParams(apiPages), web.APIParam{Name: "lang", Type: "string", Description: "the language of subjects and bodies (default English)", Enum: web.Enum("en", "ko")}),
			Summary:     "The caller's notices, newest first, with the unread count",
			Description: "Every notice the caller was sent (milestones due, a training session tomorrow, a registration confirmed, …), read or not. The cursor is a position in the inbox, so notices arriving while a client pages do not repeat one.",
			Status:      200, Response: inboxBody{}, Auth: true, Errors: []int{400, 401}},
		{Method: "POST", Path: "/api/v1/me/inbox/read", ID: "markInboxRead", Tag: "notifications", Request: inboxReadRequest{},
			Summary:     "Marks the caller's notices read: those named, or all",
			Description: "At most 500 ids a call; ids of another person's notices or of none change nothing. Needs a write token.",
			Status:      200, Response: inboxReadBody{}, Auth: true, Errors: []int{400, 401, 403, 415}},
	}
}

// APISchemaDocs document the inbox API's bodies.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	return web.SchemaDocs{
		"notifyweb.inboxBody":              {Description: "A page of the caller's notices, newest first."},
		"notifyweb.inboxBody.notices":      {Description: "the notices of this page"},
		"notifyweb.inboxBody.unread":       {Description: "the caller's unread notices, on every page", Minimum: web.Min(0)},
		"notifyweb.inboxNotice":            {Description: "One notice: something the caller must act on."},
		"notifyweb.inboxNotice.id":         {Description: "the notice's number; larger is newer"},
		"notifyweb.inboxNotice.kind":       {Description: "what it is about, e.g. milestone.overdue, training.session_tomorrow, event.registered"},
		"notifyweb.inboxNotice.subject":    {Description: "its subject, worded in the language asked for"},
		"notifyweb.inboxNotice.body":       {Description: "its text, worded in the language asked for"},
		"notifyweb.inboxNotice.url":        {Description: "the page inside CityLens to act on it, a path"},
		"notifyweb.inboxNotice.created_at": {Description: "when it was sent"},
		"notifyweb.inboxNotice.read_at":    {Description: "when the caller marked it read (null: unread)"},
		"notifyweb.inboxReadRequest":       {Description: "The notices to mark read."},
		"notifyweb.inboxReadRequest.ids":   {Description: "the numbers of the notices to mark read (at most 500)"},
		"notifyweb.inboxReadRequest.all":   {Description: "true marks every notice of the caller read"},
		"notifyweb.inboxReadBody":          {Description: "What marking did."},
		"notifyweb.inboxReadBody.marked":   {Description: "notices marked read now", Minimum: web.Min(0)},
		"notifyweb.inboxReadBody.unread":   {Description: "the caller's unread notices left", Minimum: web.Min(0)},
	}
}
