// Package eventsweb is the network events' part of the web layer: the
// events list and each event's page, the secretariat's form, registration
// and cancellation by member cities' delegates, attendance, and the
// iCalendar feeds (per event, and per person through an unguessable
// token that needs no sign-in). Handlers call the events service
// (internal/events), which holds the rules (capacity, waiting list).
package eventsweb

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/web"
)

// Area is the network events' web area.
type Area struct {
	svc *events.Service
	// prize is the prize's judging: a ceremony linked to its edition
	// shows the committee the finalists invited and their answers (nil:
	// no prize, nothing shown).
	prize *judging.Service
	s     *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the events area; prize (may be nil) is the prize's judging, for
// the ceremonies linked to a prize edition.
func New(svc *events.Service, prize *judging.Service) *Area { return &Area{svc: svc, prize: prize} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the events pages (events_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// AccessDelegates may register for events: member cities' focal points,
// regional officers and the secretariat.
var AccessDelegates = web.Access{Name: "event-delegates", Roles: []accounts.Role{accounts.RoleAdmin, accounts.RoleRegional, accounts.RoleFocal}}

// Register adds the events routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /events", web.AccessPublic, a.listPage)
	s.Page("GET /events/{id}", web.AccessPublic, a.eventPage)
	s.Page("GET /events/{id}/calendar.ics", web.AccessPublic, a.eventFeed)
	s.Page("GET /events/feed/{user}/{file}", web.AccessPublic, a.personFeed)
	s.Page("POST /events/{id}/register", AccessDelegates, a.register)
	s.Page("POST /events/{id}/cancel", AccessDelegates, a.cancel)
	s.Page("GET /admin/events/new", web.AccessAdmin, a.newPage)
	s.Page("POST /admin/events", web.AccessAdmin, a.create)
	s.Page("POST /admin/events/{id}/attendance", web.AccessAdmin, a.attendance)
	s.Page("POST /admin/events/{id}/edition", web.AccessAdmin, a.linkEdition)
}

// Nav links the events.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	return []web.NavLink{{Href: "/events", Label: "nav.events"}}
}

func viewer(r *http.Request) events.Viewer {
	u := web.ViewerOf(r).User
	ev := events.Viewer{UserID: u.ID}
	switch u.Role {
	case accounts.RoleAdmin:
		ev.Admin, ev.Delegate = true, true
	case accounts.RoleRegional, accounts.RoleFocal:
		ev.Delegate = true
	}
	return ev
}

func actor(r *http.Request) auditlog.Actor {
	v := web.ViewerOf(r)
	return auditlog.Actor{UserID: v.User.ID, Email: v.User.Email}
}

func eventID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "events.error.notfound", "Event %d not found.", id)
	}
	return id, nil
}

// eventView is an event with its times in its own time zone.
type eventView struct {
	*events.Event
	When string
}

func view(e *events.Event) eventView {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	s, en := e.Start.In(loc), e.End.In(loc)
	when := s.Format("2006-01-02 15:04") + " – "
	if s.Format("2006-01-02") == en.Format("2006-01-02") {
		when += en.Format("15:04")
	} else {
		when += en.Format("2006-01-02 15:04")
	}
	return eventView{Event: e, When: when + " (" + e.TimeZone + ")"}
}

func (a *Area) listPage(w http.ResponseWriter, r *http.Request) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 || page > 1000 {
		page = 1
	}
	const per = 50
	es, err := a.svc.List(r.Context(), per+1, (page-1)*per)
	if err != nil {
		return err
	}
	d := map[string]any{"Admin": viewer(r).Admin, "Page": page}
	if len(es) > per {
		es = es[:per]
		d["Next"] = page + 1
	}
	if page > 1 {
		d["Prev"] = page - 1
	}
	var vs []eventView
	for _, e := range es {
		vs = append(vs, view(e))
	}
	d["Events"] = vs
	if u := web.ViewerOf(r).User; u.ID != 0 {
		d["Feed"] = a.feedPath(u.ID)
	}
	return a.s.Render(w, r, "events_list.html", d)
}

func (a *Area) feedPath(user int64) string {
	return "/events/feed/" + strconv.FormatInt(user, 10) + "/" + a.svc.FeedToken(user) + ".ics"
}

func (a *Area) eventPage(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	v := viewer(r)
	d := map[string]any{"Event": view(e), "Delegate": v.Delegate, "Admin": v.Admin}
	if v.UserID != 0 {
		mine, err := a.svc.Mine(r.Context(), v, id)
		if err != nil {
			return err
		}
		d["Mine"] = mine
	}
	if v.Admin {
		rs, err := a.svc.Registrations(r.Context(), v, id)
		if err != nil {
			return err
		}
		var places, waiting []events.Registration
		for _, reg := range rs {
			switch reg.State {
			case events.StateRegistered:
				places = append(places, reg)
			case events.StateWaiting:
				waiting = append(waiting, reg)
			}
		}
		d["Places"], d["Waiting"] = places, waiting
	}
	if err := a.ceremony(r, e, d); err != nil {
		return err
	}
	return a.s.Render(w, r, "events_event.html", d)
}

func (a *Area) writeICS(w http.ResponseWriter, name, file string, es []*events.Event) error {
	var b bytes.Buffer
	if err := events.WriteICS(&b, name, es, time.Now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b.Bytes())
	return err
}

func (a *Area) eventFeed(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	e, err := a.svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return a.writeICS(w, e.Title, "event-"+strconv.FormatInt(id, 10)+".ics", []*events.Event{e})
}

func (a *Area) personFeed(w http.ResponseWriter, r *http.Request) error {
	user, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if err != nil || user <= 0 || !ok {
		return citylens.Ef(citylens.ENOTFOUND, "events.error.feed", "No such calendar feed.")
	}
	es, err := a.svc.PersonFeed(r.Context(), user, token)
	if err != nil {
		return err
	}
	return a.writeICS(w, a.s.T(r, "events.feed.name"), "citylens-events.ics", es)
}

func (a *Area) register(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	reg, err := a.svc.Register(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	key := "flash.events.registered"
	if reg.State == events.StateWaiting {
		key = "flash.events.waiting"
	}
	a.s.RedirectFlash(w, r, "/events/"+strconv.FormatInt(id, 10), key)
	return nil
}

func (a *Area) cancel(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	if err := a.svc.Cancel(r.Context(), viewer(r), id); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/events/"+strconv.FormatInt(id, 10), "flash.events.cancelled")
	return nil
}

func (a *Area) newPage(w http.ResponseWriter, r *http.Request) error {
	return a.s.Render(w, r, "events_form.html", map[string]any{"Kinds": events.Kinds})
}

// parseLocal reads a form's local date and time ("2006-01-02T15:04") in
// time zone tz; a missing or bad value is a problem of field.
func parseLocal(v, tz, field string, ps *[]citylens.Problem) time.Time {
	if strings.TrimSpace(v) == "" {
		return time.Time{} // named "required" by Validate
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC // the time zone is named by Validate
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), loc)
	if err != nil {
		*ps = append(*ps, citylens.Problem{Field: field}.Keyed("events.error.datetime", "not a date and time (YYYY-MM-DDTHH:MM)"))
		return time.Time{}
	}
	return t.UTC()
}

func (a *Area) create(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	var ps []citylens.Problem
	e := &events.Event{Kind: f("kind"), Title: f("title"), Agenda: f("agenda"), Place: f("place"), Link: f("link"),
		TimeZone: strings.TrimSpace(f("time_zone")), Edition: strings.TrimSpace(f("edition")), Open: f("open") != ""}
	for _, l := range strings.FieldsFunc(f("languages"), func(r rune) bool { return r == ',' || r == ' ' }) {
		e.Languages = append(e.Languages, strings.ToLower(l))
	}
	e.Start = parseLocal(f("start"), e.TimeZone, "start", &ps)
	e.End = parseLocal(f("end"), e.TimeZone, "end", &ps)
	n, err := strconv.Atoi(strings.TrimSpace(f("capacity")))
	if err != nil {
		n = 0 // named by Validate
	}
	e.Capacity = n
	if verr := e.Validate(); verr != nil || len(ps) > 0 {
		if ce := citylens.AsError(verr); ce != nil {
			ps = merge(ps, ce.Problems)
		}
		return citylens.Ef(citylens.EINVALID, "events.error.event", "the event was not saved: correct the fields named below").WithProblems(ps...)
	}
	if err := a.svc.Create(r.Context(), viewer(r), actor(r), e); err != nil {
		if citylens.ErrorCode(err) == citylens.EINVALID && e.Edition != "" {
			return citylens.Ef(citylens.EINVALID, "events.error.event", "the event was not saved: correct the fields named below").
				WithProblems(citylens.Problem{Field: "edition"}.Keyed("events.error.edition", "no prize edition %s", e.Edition))
		}
		return err
	}
	a.s.RedirectFlash(w, r, "/events/"+strconv.FormatInt(e.ID, 10), "flash.events.created")
	return nil
}

func (a *Area) attendance(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	user, err := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	if err != nil || user <= 0 {
		return citylens.Ef(citylens.EINVALID, "events.error.attendance", "the attendance was not saved: correct the fields named below").
			WithProblems(citylens.Problem{Field: "user"}.Keyed("events.error.user", "not a person"))
	}
	if err := a.svc.MarkAttendance(r.Context(), viewer(r), id, user, r.PostFormValue("attended") != ""); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/events/"+strconv.FormatInt(id, 10), "flash.events.attendance")
	return nil
}

// merge is ps with the problems of more whose field ps does not name yet
// (a date that did not parse is not also "required").
func merge(ps, more []citylens.Problem) []citylens.Problem {
	named := map[string]bool{}
	for _, p := range ps {
		named[p.Field] = true
	}
	for _, p := range more {
		if !named[p.Field] {
			ps = append(ps, p)
		}
	}
	return ps
}

// ceremony adds to an event page what its linked prize edition shows:
// to the prize's committee (the secretariat, the chair) the finalists
// invited and their answers; to everyone the public programme's link
// and, once the results are announced, the winners' link. Being a
// finalist is a decision under embargo (docs/judging.md), so nobody
// else sees a finalist's name here, before or after the announcement.
func (a *Area) ceremony(r *http.Request, e *events.Event, d map[string]any) error {
	if a.prize == nil {
		return nil
	}
	ctx := r.Context()
	v := web.ViewerOf(r)
	if v.IsAdmin() {
		eds, err := a.prize.Prize.PrizeEditions(ctx)
		if err != nil {
			return err
		}
		d["Editions"] = eds
	}
	if e.Edition == "" {
		return nil
	}
	ed, err := a.prize.Prize.PrizeEdition(ctx, e.Edition)
	if err != nil || !ed.Published && !v.IsAdmin() {
		return nil // an unpublished edition is not named to the public
	}
	d["Prize"] = ed
	if _, announced, err := a.prize.Store.PrizeAnnounced(ctx, e.Edition); err != nil {
		return err
	} else if announced {
		d["Announced"] = true
	}
	jv := judging.Viewer{UserID: v.User.ID, Email: v.User.Email, Admin: v.IsAdmin()}
	if !a.prize.Committee(ctx, e.Edition, jv) {
		return nil
	}
	att, err := a.prize.Attendance(ctx, jv, e.Edition)
	if err != nil {
		return err
	}
	d["Finalists"] = att
	return nil
}

func (a *Area) linkEdition(w http.ResponseWriter, r *http.Request) error {
	id, err := eventID(r)
	if err != nil {
		return err
	}
	if err := a.svc.LinkEdition(r.Context(), viewer(r), actor(r), id, r.PostFormValue("edition")); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/events/"+strconv.FormatInt(id, 10), "flash.events.linked")
	return nil
}
