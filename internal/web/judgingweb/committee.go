package judgingweb

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// The committee's ceremony pages: the finalist round's presentation
// slots, the programme editor and the invitations' answers. Every page
// asks the judging service, which lets in the committee (the
// administrator and the chair) and refuses everyone else; times are
// typed and shown in the edition's time zone.

const localLayout = "2006-01-02T15:04" // an <input type="datetime-local"> value

// maxProgrammeRows bounds the programme form's rows read from a request.
const maxProgrammeRows = judging.MaxProgramme + 1

func (a *Area) registerCommittee(s *web.Server) {
	s.Page("GET /judging/rounds/{round}/slots", AccessJudges, a.slotsPage)
	s.Page("POST /judging/rounds/{round}/slots", AccessJudges, a.saveSlot)
	s.Page("POST /judging/rounds/{round}/slots/{slot}/delete", AccessJudges, a.deleteSlot)
	s.Page("GET /judging/editions/{edition}/programme", AccessJudges, a.programmeEditor)
	s.Page("POST /judging/editions/{edition}/programme", AccessJudges, a.saveProgramme)
	s.Page("GET /judging/editions/{edition}/attendance", AccessJudges, a.attendancePage)
	s.Page("GET /judging/editions/{edition}/attendance.csv", AccessJudges, a.attendanceCSV)
}

// slotRow is a slot as the committee's list shows it.
type slotRow struct {
	ID            int64
	App           int64
	Title         string
	Judges        []string
	When, Where   string
	Minutes       int
	Start, Ending string // local form values, for the edit link's form
}

// finalistOption is a finalist the slot form offers, with its judges.
type finalistOption struct {
	App    int64
	Title  string
	Judges []string
}

// slotForm is what the slot form shows: a slot's values as typed.
type slotForm struct {
	ID                      int64
	App                     string
	Starts, Ends, Room, URL string
}

type slotsData struct {
	Round     *judging.Round
	Edition   *prize.Edition
	Slots     []slotRow
	Finalists []finalistOption
	Form      slotForm
	Error     string
	Problems  []string
}

// slotsData reads the round's slots, finalists and judges for the
// committee; the service refuses everyone else (RoundAssignment).
func (a *Area) slotsData(ctx context.Context, v judging.Viewer, roundID int64) (*slotsData, error) {
	rd, err := a.svc.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	as, err := a.svc.RoundAssignment(ctx, v, roundID)
	if err != nil {
		return nil, err
	}
	e, err := a.svc.Prize.PrizeEdition(ctx, rd.Edition)
	if err != nil {
		return nil, err
	}
	judges, err := a.svc.Store.PrizeJudges(ctx, rd.Edition)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, j := range judges {
		names[j.ID] = j.Name
	}
	judgesOf := map[int64][]string{}
	for _, x := range as {
		if x.Assigned {
			judgesOf[x.App] = append(judgesOf[x.App], names[x.Judge])
		}
	}
	titles := map[int64]string{}
	title := func(id int64) string {
		if t, ok := titles[id]; ok {
			return t
		}
		if app, err := a.svc.Prize.PrizeApplication(ctx, id); err == nil {
			titles[id] = app.Title
		}
		return titles[id]
	}
	d := &slotsData{Round: rd, Edition: e}
	ds, err := a.svc.Decisions(ctx, v, rd.Edition)
	if err != nil {
		return nil, err
	}
	if rd.Kind == judging.RoundFinalist {
		for _, dc := range ds {
			if dc.Kind == judging.DecisionFinalist {
				d.Finalists = append(d.Finalists, finalistOption{App: dc.App, Title: title(dc.App), Judges: judgesOf[dc.App]})
			}
		}
	}
	slots, err := a.svc.Slots(ctx, v, roundID)
	if err != nil {
		return nil, err
	}
	loc := e.Location()
	for _, sl := range slots {
		where := sl.Room
		if where == "" {
			where = sl.Link
		}
		d.Slots = append(d.Slots, slotRow{ID: sl.ID, App: sl.App, Title: title(sl.App), Judges: judgesOf[sl.App],
			When:  sl.Starts.In(loc).Format("2006-01-02 15:04") + "–" + sl.Ends().In(loc).Format("15:04"),
			Where: where, Minutes: sl.Minutes,
			Start: sl.Starts.In(loc).Format(localLayout), Ending: sl.Ends().In(loc).Format(localLayout)})
	}
	return d, nil
}

func (a *Area) slotsPage(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	d, err := a.slotsData(r.Context(), viewer(r), round)
	if err != nil {
		return err
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); err == nil {
		for _, sl := range d.Slots {
			if sl.ID == id {
				d.Form = slotForm{ID: sl.ID, App: strconv.FormatInt(sl.App, 10), Starts: sl.Start, Ends: sl.Ending}
				if strings.HasPrefix(sl.Where, "https://") {
					d.Form.URL = sl.Where
				} else {
					d.Form.Room = sl.Where
				}
			}
		}
	}
	return a.s.Render(w, r, "judging_slots.html", d)
}

// parseLocalTime reads a datetime-local value in loc; zero when blank
// or malformed (ok false when malformed).
func parseLocalTime(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(localLayout, v, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func (a *Area) saveSlot(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	v := viewer(r)
	d, err := a.slotsData(r.Context(), v, round)
	if err != nil {
		return err
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d.Form = slotForm{App: f("app"), Starts: f("starts"), Ends: f("ends"), Room: f("room"), URL: f("link")}
	d.Form.ID, _ = strconv.ParseInt(f("id"), 10, 64)
	loc := d.Edition.Location()
	var bad []string
	app, err := strconv.ParseInt(d.Form.App, 10, 64)
	if err != nil || app <= 0 {
		bad = append(bad, a.s.T(r, "judging.slotpage.nofinalist"))
	}
	starts, ok1 := parseLocalTime(d.Form.Starts, loc)
	ends, ok2 := parseLocalTime(d.Form.Ends, loc)
	if !ok1 || !ok2 {
		bad = append(bad, a.s.T(r, "judging.slotpage.badtime"))
	}
	minutes := 0
	if !starts.IsZero() && !ends.IsZero() {
		minutes = int(ends.Sub(starts) / time.Minute)
	}
	if len(bad) == 0 {
		sl := &judging.Slot{ID: d.Form.ID, Round: round, App: app, Starts: starts, Minutes: minutes, Room: d.Form.Room, Link: d.Form.URL}
		err = a.svc.ScheduleSlot(r.Context(), v, sl)
		if err == nil {
			a.s.RedirectFlash(w, r, "/judging/rounds/"+strconv.FormatInt(round, 10)+"/slots", "judging.flash.slotsaved", sl.ID)
			return nil
		}
		ce := citylens.AsError(err)
		if ce == nil || (ce.Code != citylens.EINVALID && ce.Code != citylens.ECONFLICT) {
			return err
		}
		d.Error = a.s.T(r, ce.Key, ce.Args...)
		for _, p := range ce.Problems {
			bad = append(bad, a.s.T(r, p.Key, p.Args...))
		}
	}
	d.Problems = bad
	status := http.StatusUnprocessableEntity
	if ce := citylens.AsError(err); ce != nil && ce.Code == citylens.ECONFLICT {
		status = http.StatusConflict
	}
	return a.s.RenderStatus(w, r, status, "judging_slots.html", d)
}

func (a *Area) deleteSlot(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	slot, err := strconv.ParseInt(r.PathValue("slot"), 10, 64)
	if err != nil || slot <= 0 {
		return citylens.Ef(citylens.ENOTFOUND, "judging.err.noslot", "Slot %d not found.", slot)
	}
	if err := a.svc.DeleteSlot(r.Context(), viewer(r), round, slot); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/judging/rounds/"+strconv.FormatInt(round, 10)+"/slots", "judging.flash.slotdeleted", slot)
	return nil
}

// programmeFormRow is one row of the programme editor, as typed.
type programmeFormRow struct {
	Starts, Minutes, Title, TitleKO, Place string
}

type programmeEditData struct {
	Edition  *prize.Edition
	Rows     []programmeFormRow
	Problems []string
}

// blankRows are the empty rows the editor adds for new items.
const blankRows = 3

// editionForCommittee is the edition when v is on its committee: the
// service's answer for anyone else (Invitations refuses them).
func (a *Area) editionForCommittee(ctx context.Context, v judging.Viewer, code string) (*prize.Edition, error) {
	if !a.svc.Committee(ctx, code, v) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	return a.svc.Prize.PrizeEdition(ctx, code)
}

func (a *Area) programmeEditor(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	e, err := a.editionForCommittee(r.Context(), v, r.PathValue("edition"))
	if err != nil {
		return err
	}
	items, err := a.svc.Programme(r.Context(), e.Code)
	if err != nil {
		return err
	}
	d := &programmeEditData{Edition: e}
	loc := e.Location()
	for _, it := range items {
		d.Rows = append(d.Rows, programmeFormRow{Starts: it.Starts.In(loc).Format(localLayout), Minutes: strconv.Itoa(it.Minutes),
			Title: it.Title, TitleKO: it.TitleKO, Place: it.Place})
	}
	for i := 0; i < blankRows; i++ {
		d.Rows = append(d.Rows, programmeFormRow{})
	}
	return a.s.Render(w, r, "judging_programme_edit.html", d)
}

func (a *Area) saveProgramme(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	e, err := a.editionForCommittee(r.Context(), v, r.PathValue("edition"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return citylens.Ef(citylens.EINVALID, "judging.err.programme", "The programme was not saved: correct the items named below.")
	}
	loc := e.Location()
	d := &programmeEditData{Edition: e}
	var items []judging.ProgrammeItem
	var bad []string
	n := len(r.PostForm["starts"])
	if n > maxProgrammeRows+blankRows {
		return citylens.Ef(citylens.EINVALID, "judging.err.programmelong", "A programme has at most %d items.", judging.MaxProgramme)
	}
	at := func(k string, i int) string {
		if vs := r.PostForm[k]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	for i := 0; i < n; i++ {
		row := programmeFormRow{Starts: at("starts", i), Minutes: at("minutes", i), Title: at("title", i), TitleKO: at("title_ko", i), Place: at("place", i)}
		d.Rows = append(d.Rows, row)
		if row == (programmeFormRow{}) {
			continue // a blank row adds nothing
		}
		pos := len(items) + 1
		starts, ok := parseLocalTime(row.Starts, loc)
		if !ok {
			bad = append(bad, a.s.T(r, "judging.programmeedit.badtime", pos))
		}
		minutes, err := strconv.Atoi(row.Minutes)
		if row.Minutes == "" {
			minutes, err = 0, nil
		}
		if err != nil {
			bad = append(bad, a.s.T(r, "judging.programmeedit.badminutes", pos))
		}
		items = append(items, judging.ProgrammeItem{Starts: starts, Minutes: minutes, Title: row.Title, TitleKO: row.TitleKO, Place: row.Place})
	}
	if len(bad) == 0 {
		err = a.svc.SetProgramme(r.Context(), v, e.Code, items)
		if err == nil {
			a.s.RedirectFlash(w, r, "/judging/editions/"+url.PathEscape(e.Code)+"/programme", "judging.flash.programmesaved", len(items))
			return nil
		}
		ce := citylens.AsError(err)
		if ce == nil || ce.Code != citylens.EINVALID {
			return err
		}
		if len(ce.Problems) == 0 {
			bad = append(bad, a.s.T(r, ce.Key, ce.Args...))
		}
		for _, p := range ce.Problems {
			// items[i].field names the i-th item: the reader counts from 1.
			pos := 0
			if rest, ok := strings.CutPrefix(p.Field, "items["); ok {
				if j := strings.IndexByte(rest, ']'); j > 0 {
					pos, _ = strconv.Atoi(rest[:j])
					pos++
				}
			}
			bad = append(bad, a.s.T(r, "judging.programmeedit.item", pos, a.s.T(r, p.Key, p.Args...)))
		}
	}
	d.Problems = bad
	return a.s.RenderStatus(w, r, http.StatusUnprocessableEntity, "judging_programme_edit.html", d)
}

type attendanceData struct {
	Edition *prize.Edition
	A       *judging.Attendance
}

func (a *Area) attendance(r *http.Request) (*prize.Edition, *judging.Attendance, error) {
	v := viewer(r)
	e, err := a.editionForCommittee(r.Context(), v, r.PathValue("edition"))
	if err != nil {
		return nil, nil, err
	}
	at, err := a.svc.Attendance(r.Context(), v, e.Code)
	return e, at, err
}

func (a *Area) attendancePage(w http.ResponseWriter, r *http.Request) error {
	e, at, err := a.attendance(r)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "judging_attendance.html", &attendanceData{Edition: e, A: at})
}

// attendanceCSV is the answers as CSV: one row per invitation, the
// attendees joined by "; ", in the reader's language for the status.
func (a *Area) attendanceCSV(w http.ResponseWriter, r *http.Request) error {
	e, at, err := a.attendance(r)
	if err != nil {
		return err
	}
	rows := [][]string{{a.s.T(r, "judging.attendance.col.ref"), a.s.T(r, "judging.col.project"), a.s.T(r, "judging.attendance.col.organisation"),
		a.s.T(r, "judging.attendance.col.city"), a.s.T(r, "judging.attendance.col.status"), a.s.T(r, "judging.attendance.col.people"),
		a.s.T(r, "judging.attendance.col.attendees"), a.s.T(r, "judging.attendance.col.travel"), a.s.T(r, "judging.attendance.col.answered")}}
	for _, x := range at.Rows {
		answered := ""
		if !x.RespondedAt.IsZero() {
			answered = x.RespondedAt.In(e.Location()).Format("2006-01-02 15:04")
		}
		rows = append(rows, []string{x.Ref, x.Title, x.Organisation, x.City, a.s.T(r, "judging.invitation.status."+x.Status),
			strconv.Itoa(len(x.Attendees)), strings.Join(x.Attendees, "; "), x.Travel, answered})
	}
	var buf bytes.Buffer
	if err := csvsafe.NewWriter(&buf).WriteAll(rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="prize-`+url.PathEscape(e.Code)+`-attendance.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
