package prizeweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

func (a *Area) adminEditions(w http.ResponseWriter, r *http.Request) error {
	eds, err := a.svc.Store.PrizeEditions(r.Context())
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_admin_editions.html", map[string]any{"Editions": eds, "Now": a.s.Now()})
}

// adminCreateEdition creates an edition seeded with the real prize's
// tracks, eligibility and form, unpublished, for its settings to be set.
func (a *Area) adminCreateEdition(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	now := a.s.Now()
	loc, _ := time.LoadLocation("Asia/Seoul")
	e := &prize.Edition{Code: strconv.Itoa(year), Year: year, Title: "Seoul Smart City Prize " + strconv.Itoa(year),
		TitleKO: "서울스마트시티상 " + strconv.Itoa(year), TimeZone: "Asia/Seoul",
		Opens: time.Date(year, 3, 1, 9, 0, 0, 0, loc), Deadline: time.Date(year, 6, 30, 18, 0, 0, 0, loc)}
	if year < 2000 || year > 2100 {
		e.Opens, e.Deadline = now, now.Add(time.Hour)
	}
	if err := a.svc.SeedEdition(r.Context(), web.ActorOf(r), e); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/prize/"+e.Code+"/settings", http.StatusSeeOther)
	return nil
}

// listFilter reads the board's filter from the query.
func listFilter(r *http.Request, edition string) prize.ApplicationFilter {
	q := r.URL.Query()
	return prize.ApplicationFilter{Edition: edition, Track: q.Get("track"), State: q.Get("state"), Stage: q.Get("stage"),
		Type: q.Get("type"), Country: strings.ToUpper(q.Get("country")), Query: q.Get("q")}
}

type boardData struct {
	Edition    *prize.Edition
	Tracks     []prize.Track
	TrackName  map[string]prize.Track
	Board      prize.Board
	Duplicates []prize.Duplicate
	Apps       []*prize.Application
	Filter     prize.ApplicationFilter
	Query      string
	Types      []string
	Stages     []string
	States     []string
	Phase      string
	Shown      int // the list's rows on this page, of Matched
	Matched    int
	Page       int
	PrevQuery  string // the query of the previous and next pages ("" for none)
	NextQuery  string
}

// boardPageSize is the board list's rows a page; the exports have all.
const boardPageSize = 100

func (a *Area) adminBoard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := a.svc.Store.PrizeEdition(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	d := &boardData{Edition: e, TrackName: map[string]prize.Track{}, Filter: listFilter(r, e.Code), Query: r.URL.RawQuery,
		Types: prize.ApplicantTypes, Stages: prize.Stages, Phase: e.Phase(a.s.Now()),
		States: []string{prize.StateDraft, prize.StateSubmitted, prize.StateWithdrawn, prize.StateRejected}}
	if d.Tracks, err = a.svc.Store.PrizeTracks(ctx, e.Code); err != nil {
		return err
	}
	for _, t := range d.Tracks {
		d.TrackName[t.Code] = t
	}
	var all []*prize.Application
	if d.Board, d.Duplicates, all, err = a.svc.BoardFor(ctx, who(r), e.Code); err != nil {
		return err
	}
	d.Apps = all
	if d.Filter != (prize.ApplicationFilter{Edition: e.Code}) {
		if d.Apps, err = a.svc.Applications(ctx, who(r), d.Filter); err != nil {
			return err
		}
	}
	d.Matched = len(d.Apps)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	if d.Page < 1 || (d.Page-1)*boardPageSize >= len(d.Apps) {
		d.Page = 1
	}
	from := (d.Page - 1) * boardPageSize
	d.Apps = d.Apps[from:min(from+boardPageSize, len(d.Apps))]
	d.Shown = len(d.Apps)
	q := r.URL.Query()
	q.Del("page")
	if d.Page > 1 {
		q.Set("page", strconv.Itoa(d.Page-1))
		d.PrevQuery = q.Encode()
	}
	if from+boardPageSize < d.Matched {
		q.Set("page", strconv.Itoa(d.Page+1))
		d.NextQuery = q.Encode()
	}
	return a.s.Render(w, r, "prize_admin_board.html", d)
}

// exportRows are the board's filtered list as rows, header first.
func (a *Area) exportRows(r *http.Request) ([][]string, string, error) {
	ctx := r.Context()
	e, err := a.svc.Store.PrizeEdition(ctx, r.PathValue("edition"))
	if err != nil {
		return nil, "", err
	}
	apps, err := a.svc.Applications(ctx, who(r), listFilter(r, e.Code))
	if err != nil {
		return nil, "", err
	}
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return nil, "", err
	}
	region := map[string]string{}
	for _, c := range cities {
		region[c.Country] = c.RegionCode
	}
	dups := map[int64][]string{}
	_, dl, _, err := a.svc.BoardFor(ctx, who(r), e.Code)
	if err != nil {
		return nil, "", err
	}
	for _, d := range dl {
		dups[d.A] = append(dups[d.A], strconv.FormatInt(d.B, 10))
		dups[d.B] = append(dups[d.B], strconv.FormatInt(d.A, 10))
	}
	rows := [][]string{{"reference", "id", "track", "state", "screening", "screening_reason", "late", "applicant_type", "organisation",
		"country", "region", "city", "city_code", "title", "stage", "submitted_at", "email", "possible_duplicates"}}
	for _, x := range apps {
		sub := ""
		if !x.SubmittedAt.IsZero() {
			sub = x.SubmittedAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{x.Ref(), strconv.FormatInt(x.ID, 10), x.Track, x.State, x.Screening, x.ScreenReason,
			strconv.FormatBool(x.Late), x.ApplicantType, x.Organisation, x.Country, region[x.Country], x.CityName, x.CityCode,
			x.Title, x.Stage, sub, x.Email, strings.Join(dups[x.ID], " ")})
	}
	return rows, "prize-" + e.Code + "-applications", nil
}

func (a *Area) exportCSV(w http.ResponseWriter, r *http.Request) error {
	rows, name, err := a.exportRows(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := csvsafe.NewWriter(&buf).WriteAll(rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (a *Area) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	rows, name, err := a.exportRows(r)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Applications"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

type settingsData struct {
	Edition     *prize.Edition
	Tracks      []prize.Track
	Eligibility prize.EligibilityMap
	Types       []string
	Form        string
	FormTrack   string
	FormType    string
	Errors      *formErrors
	In          map[string]string // the settings form as typed
}

func localInput(t time.Time, tz string) string {
	if t.IsZero() {
		return ""
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

func (a *Area) settingsData(r *http.Request) (*settingsData, error) {
	ctx := r.Context()
	e, err := a.svc.Store.PrizeEdition(ctx, r.PathValue("edition"))
	if err != nil {
		return nil, err
	}
	d := &settingsData{Edition: e, Types: prize.ApplicantTypes, FormTrack: r.URL.Query().Get("track"), FormType: r.URL.Query().Get("type")}
	if d.Tracks, err = a.svc.Store.PrizeTracks(ctx, e.Code); err != nil {
		return nil, err
	}
	rows, err := a.svc.Store.PrizeEligibility(ctx, e.Code)
	if err != nil {
		return nil, err
	}
	d.Eligibility = prize.EligibilityOf(rows)
	f, err := a.svc.FormFor(ctx, e.Code, d.FormTrack, d.FormType)
	if err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	d.Form = string(b)
	d.In = map[string]string{"title": e.Title, "title_ko": e.TitleKO, "description": e.Description, "description_ko": e.DescriptionKO,
		"time_zone": e.TimeZone, "opens": localInput(e.Opens, e.TimeZone), "deadline": localInput(e.Deadline, e.TimeZone),
		"grace": strconv.Itoa(int(e.Grace / time.Minute)), "evaluation": localInput(e.Evaluation, e.TimeZone),
		"finalists": localInput(e.Finalists, e.TimeZone), "ceremony": localInput(e.Ceremony, e.TimeZone)}
	if e.Published {
		d.In["published"] = "on"
	}
	return d, nil
}

func (a *Area) adminSettings(w http.ResponseWriter, r *http.Request) error {
	d, err := a.settingsData(r)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_admin_settings.html", d)
}

// adminSaveSettings saves the edition's texts, time zone and dates, each
// date read in the edition's time zone.
func (a *Area) adminSaveSettings(w http.ResponseWriter, r *http.Request) error {
	d, err := a.settingsData(r)
	if err != nil {
		return err
	}
	e := *d.Edition
	in := map[string]string{}
	for _, k := range []string{"title", "title_ko", "description", "description_ko", "time_zone", "opens", "deadline", "grace", "evaluation", "finalists", "ceremony", "published"} {
		in[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	e.Title, e.TitleKO, e.Description, e.DescriptionKO, e.TimeZone = in["title"], in["title_ko"], in["description"], in["description_ko"], in["time_zone"]
	e.Published = in["published"] != ""
	var ps []citylens.Problem
	loc := e.Location()
	for _, f := range []struct {
		key string
		dst *time.Time
	}{{"opens", &e.Opens}, {"deadline", &e.Deadline}, {"evaluation", &e.Evaluation}, {"finalists", &e.Finalists}, {"ceremony", &e.Ceremony}} {
		if in[f.key] == "" {
			*f.dst = time.Time{}
			continue
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", in[f.key], loc)
		if err != nil {
			ps = append(ps, citylens.Problem{Field: f.key}.Keyed("prize.error.datetime", "%q is not a date and time (YYYY-MM-DDTHH:MM)", in[f.key]))
			continue
		}
		*f.dst = t.UTC()
	}
	grace, gerr := strconv.Atoi(in["grace"])
	if in["grace"] == "" {
		grace, gerr = 0, nil
	}
	if gerr != nil {
		ps = append(ps, citylens.Problem{Field: "grace"}.Keyed("prize.error.number", "%q is not a number", in["grace"]))
	}
	e.Grace = time.Duration(grace) * time.Minute
	if len(ps) > 0 {
		err = citylens.Ef(citylens.EINVALID, "prize.error.edition", "the edition was not saved: correct the fields named below").WithProblems(ps...)
	} else {
		err = a.svc.UpdateEdition(r.Context(), web.ActorOf(r), &e)
	}
	if fe := a.refused(r, err); fe != nil {
		d.Errors, d.In = fe, in
		return a.s.RenderStatus(w, r, statusFor(err), "prize_admin_settings.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/prize/"+e.Code+"/settings", "prize.flash.settings_saved")
	return nil
}

// adminSaveEligibility replaces the grid from its checkboxes
// ("elig.<track>.<type>").
func (a *Area) adminSaveEligibility(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	code := r.PathValue("edition")
	tracks, err := a.svc.Store.PrizeTracks(ctx, code)
	if err != nil {
		return err
	}
	var rows []prize.Eligibility
	for _, t := range tracks {
		for _, ty := range prize.ApplicantTypes {
			rows = append(rows, prize.Eligibility{Track: t.Code, ApplicantType: ty, Eligible: r.PostFormValue("elig."+t.Code+"."+ty) != ""})
		}
	}
	if err := a.svc.SetEligibility(ctx, web.ActorOf(r), code, rows); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/prize/"+code+"/settings", "prize.flash.eligibility_saved")
	return nil
}

// adminSaveForm stores a form configuration (JSON) for a track and
// applicant type.
func (a *Area) adminSaveForm(w http.ResponseWriter, r *http.Request) error {
	code, track, typ := r.PathValue("edition"), r.PostFormValue("track"), r.PostFormValue("type")
	text := r.PostFormValue("form")
	f, err := prize.ParseForm([]byte(text))
	if err == nil {
		err = a.svc.SetForm(r.Context(), web.ActorOf(r), code, track, typ, f)
	}
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.settingsData(r)
		if derr != nil {
			return derr
		}
		d.Errors, d.Form, d.FormTrack, d.FormType = fe, text, track, typ
		return a.s.RenderStatus(w, r, statusFor(err), "prize_admin_settings.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/prize/"+code+"/settings?track="+track+"&type="+typ, "prize.flash.form_saved")
	return nil
}

func (a *Area) screen(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	err = a.svc.Screen(r.Context(), who(r), id, r.PostFormValue("outcome"), reason)
	if fe := a.refused(r, err); fe != nil {
		d, derr := a.appData(r, id)
		if derr != nil {
			return derr
		}
		d.Errors, d.Reason = fe, reason
		return a.s.RenderStatus(w, r, statusFor(err), "prize_app.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/applications/"+strconv.FormatInt(id, 10), "prize.flash.screened")
	return nil
}
