package judgingweb

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// The ceremony's pages: a finalist's invitation with their attendance
// form, the public programme, and the committee's sending of the
// invitations. Times are shown in the edition's time zone.

// programmeRow is a programme item as a page shows it.
type programmeRow struct {
	When, Title, Place string
	Minutes            int
}

func localTime(t time.Time, e *prize.Edition) string {
	return t.In(e.Location()).Format("2006-01-02 15:04") + " (" + e.TimeZone + ")"
}

func programmeRows(r *http.Request, e *prize.Edition, items []judging.ProgrammeItem) []programmeRow {
	var out []programmeRow
	for _, it := range items {
		title := it.Title
		if web.ReaderLang(r) == i18n.Korean {
			title = it.TitleKO
		}
		out = append(out, programmeRow{When: it.Starts.In(e.Location()).Format("15:04"), Title: title, Place: it.Place, Minutes: it.Minutes})
	}
	return out
}

type invitationData struct {
	C         *judging.Ceremony
	Ceremony  string
	SlotWhen  string
	SlotWhere string
	Programme []programmeRow
	Attendees string
	Travel    string
	Problems  []string
	Saved     bool
}

func (a *Area) invitationData(r *http.Request, c *judging.Ceremony) *invitationData {
	d := &invitationData{C: c, Ceremony: localTime(c.Edition.Ceremony, c.Edition), Programme: programmeRows(r, c.Edition, c.Programme),
		Attendees: strings.Join(c.Invitation.Attendees, "\n"), Travel: c.Invitation.Travel, Saved: r.URL.Query().Get("saved") != ""}
	if c.Slot != nil {
		d.SlotWhen = localTime(c.Slot.Starts, c.Edition)
		d.SlotWhere = c.Slot.Room
		if d.SlotWhere == "" {
			d.SlotWhere = c.Slot.Link
		}
	}
	return d
}

func (a *Area) invitationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.CeremonyFor(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "judging_invitation.html", a.invitationData(r, c))
}

func (a *Area) respondInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	c, err := a.svc.CeremonyFor(r.Context(), v, id)
	if err != nil {
		return err
	}
	raw := r.PostFormValue("attendees")
	if len(raw) > judging.MaxAttendees*(judging.MaxAttendeeName+2)*4 {
		raw = raw[:judging.MaxAttendees*(judging.MaxAttendeeName+2)*4]
	}
	names := strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
	travel := r.PostFormValue("travel")
	err = a.svc.RespondInvitation(r.Context(), v, id, r.PostFormValue("attend") != "no", names, travel)
	if err == nil {
		http.Redirect(w, r, r.URL.Path+"?saved=1", http.StatusSeeOther)
		return nil
	}
	ce := citylens.AsError(err)
	if ce == nil || ce.Code != citylens.EINVALID {
		return err
	}
	d := a.invitationData(r, c)
	d.Attendees, d.Travel = raw, travel
	for _, p := range ce.Problems {
		d.Problems = append(d.Problems, a.s.T(r, p.Key, p.Args...))
	}
	return a.s.RenderStatus(w, r, http.StatusUnprocessableEntity, "judging_invitation.html", d)
}

func (a *Area) programmePage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	e, err := a.svc.Prize.PrizeEdition(r.Context(), code)
	if err != nil || !e.Published {
		return citylens.Ef(citylens.ENOTFOUND, "judging.err.noprogramme", "Edition %s has no programme.", code)
	}
	items, err := a.svc.Programme(r.Context(), code)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "judging_programme.html", map[string]any{"Edition": e, "Ceremony": localTime(e.Ceremony, e),
		"Programme": programmeRows(r, e, items)})
}

func (a *Area) inviteFinalists(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	n, err := a.svc.InviteFinalists(r.Context(), viewer(r), code)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/editions/"+url.PathEscape(code)+"/programme", "judging.flash.invited", n)
	return nil
}
