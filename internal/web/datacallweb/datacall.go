package datacallweb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// The data call: a city's page (form, template, upload, submit), review,
// coverage and per-value history.

// AccessReviewers: admins (every city) and regional officers (their region's).
var AccessReviewers = web.Access{Name: "reviewers", Roles: []accounts.Role{accounts.RoleAdmin, accounts.RoleRegional}, Scoped: true}

// dataCallActor is the viewer as the data call's rules see them.
func dataCallActor(r *http.Request) datacall.Actor {
	v := web.ViewerOf(r)
	a := web.ActorOf(r)
	return datacall.Actor{Role: string(v.User.Role), City: v.User.CityCode, Region: v.User.RegionCode,
		UserID: a.UserID, Email: a.Email, RemoteAddr: a.RemoteAddr}
}

// callCity loads the edition and city of the path and checks the viewer
// may see the city's data (403 otherwise).
func (a *Area) callCity(r *http.Request) (*datacall.Call, members.City, error) {
	ctx := r.Context()
	call, err := a.svc.LoadCall(ctx, r.PathValue("edition"))
	if err != nil {
		return nil, members.City{}, err
	}
	c, err := a.store.City(ctx, r.PathValue("city"))
	if err != nil {
		return nil, c, err
	}
	if !datacall.CanView(dataCallActor(r), datacall.CityRef{Code: c.Code, Region: c.RegionCode}) {
		if web.ViewerOf(r).User.Role == accounts.RoleFocal {
			return nil, c, citylens.E(citylens.EFORBIDDEN, "error.view_outside_city", c.Name)
		}
		return nil, c, citylens.E(citylens.EFORBIDDEN, "error.view_outside_region", c.Name)
	}
	return call, c, nil
}

func cityRef(c members.City) datacall.CityRef {
	return datacall.CityRef{Code: c.Code, Region: c.RegionCode}
}

// mayEdit refuses (403) a viewer who may never enter this city's values,
// before the request's body is looked at; the submission's state is
// checked later, with the write.
func mayEdit(r *http.Request, c members.City) error {
	err := datacall.Allowed(dataCallActor(r), cityRef(c), datacall.ActionEdit, datacall.StateDraft, true)
	if citylens.ErrorCode(err) == citylens.EFORBIDDEN {
		return err
	}
	return nil
}

func cityPath(edition, city string) string {
	return "/datacall/" + url.PathEscape(edition) + "/cities/" + url.PathEscape(city)
}

func (a *Area) dataCallHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	eds, err := a.store.Editions(ctx)
	if err != nil {
		return err
	}
	var shown []*catalogue.Edition
	for _, e := range eds {
		if e.Status != catalogue.StatusDraft {
			shown = append(shown, e)
		}
	}
	cities, err := web.CitiesFor(r, a.store, members.CityFilter{})
	if err != nil {
		return err
	}
	v := web.ViewerOf(r)
	return a.s.Render(w, r, "datacall_home.html", map[string]any{
		"Editions": shown, "Cities": cities, "Reviewer": v.User.Role != accounts.RoleFocal,
	})
}

// valueRow is one indicator of a city's data-call page.
type valueRow struct {
	Ind      catalogue.Indicator
	Optional bool
	Last     string
	Value    datacall.Value
	Has      bool
	// What the form shows: the stored value or what was just posted.
	In      datacall.Entry
	Errors  []problemView
	History string
	Unusual []string // plausibility flags, worded
}

type cityPageData struct {
	Call        *datacall.Call
	City        members.City
	Sub         datacall.Submission
	Rows        []valueRow
	Entered     int
	Required    int
	CanEdit     bool
	CanSubmit   bool
	CanReview   bool
	CanReopen   bool
	CallOpen    bool
	Errors      []problemView
	Result      *datacall.ImportResult
	Attribution string
	// Overall and ReviewError refill a refused review: the overall comment
	// typed, and why the review was refused.
	Overall, ReviewError string
	// Unusual lists the plausibility checks' flags of the city's values,
	// for the focal point and the reviewer alike.
	Unusual []unusualView
}

// unusualView is one plausibility flag as the page shows it.
type unusualView struct {
	Indicator, Name, Reason string
}

// problemView is a check's problem as a page shows it, in the reader's
// language: the form's fields under their headings, the reason by its
// message key.
type problemView struct {
	Row       int
	Column    string
	City      string
	Indicator string
	Reason    string
}

// formColumns are the headings of the checks' columns on the city page's
// form.
var formColumns = map[string]string{
	datacall.ColCity: "col.city", datacall.ColIndicator: "cat.indicator", datacall.ColValue: "dc.col.value",
	datacall.ColUnit: "cat.unit", datacall.ColSource: "dc.col.source", datacall.ColDataYear: "dc.col.year",
	datacall.ColMethodNote: "dc.col.method", datacall.ColEstimated: "dc.col.estimated", datacall.ColComment: "dc.col.comment",
}

// problems words the checks' problems for a page in the reader's language.
// On the form (onForm) a column is named by the form's heading; an
// upload's page keeps the file's column names, which the file has.
func (a *Area) problems(r *http.Request, errs []citylens.Problem, onForm bool) []problemView {
	lang := web.ReaderLang(r)
	out := make([]problemView, len(errs))
	for i, p := range errs {
		col := p.Column
		if key, ok := formColumns[col]; ok {
			if onForm {
				col = a.s.Catalog().T(lang, key)
			} else if lang != i18n.English {
				// The file's column as the file names it, with its name in
				// the reader's language.
				col = a.s.Catalog().T(lang, key) + " (" + col + ")"
			}
		}
		out[i] = problemView{Row: p.Row, Column: col, City: p.City, Indicator: p.Indicator, Reason: a.s.ProblemReason(lang, p)}
	}
	return out
}

// checksRefused is the problems of entries the data call's checks refused
// (an EINVALID error with problems: nothing was saved), nil for any other
// error, which the core answers.
func checksRefused(err error) []citylens.Problem {
	if e := citylens.AsError(err); e != nil && e.Code == citylens.EINVALID {
		return e.Problems
	}
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// cityPage builds a city's page; posted and errs, when set, refill the form
// after a failed save.
func (a *Area) cityPage(r *http.Request, call *datacall.Call, c members.City, posted map[string]datacall.Entry, errs []citylens.Problem) (*cityPageData, error) {
	ctx := r.Context()
	svc := a.svc
	e := call.Edition
	sub, err := a.store.Submission(ctx, e.Code, c.Code)
	if err != nil {
		return nil, err
	}
	vals, err := a.store.CityValues(ctx, e.Code, c.Code)
	if err != nil {
		return nil, err
	}
	last, err := svc.LastValues(ctx, e, []datacall.CityRef{cityRef(c)})
	if err != nil {
		return nil, err
	}
	cur := datacall.Current(vals)
	problems := a.problems(r, errs, true)
	byInd := map[string][]problemView{}
	for _, p := range problems {
		byInd[p.Indicator] = append(byInd[p.Indicator], p)
	}
	who := dataCallActor(r)
	open := e.CallOpen(a.s.Now())
	d := &cityPageData{Call: call, City: c, Sub: sub, Errors: problems, CallOpen: open, Attribution: catalogue.U4SSCAttribution,
		CanEdit:   datacall.Allowed(who, cityRef(c), datacall.ActionEdit, sub.State, open) == nil,
		CanSubmit: datacall.Allowed(who, cityRef(c), datacall.ActionSubmit, sub.State, open) == nil,
		CanReview: datacall.Allowed(who, cityRef(c), datacall.ActionAccept, sub.State, open) == nil,
		CanReopen: datacall.Allowed(who, cityRef(c), datacall.ActionReopen, sub.State, open) == nil,
	}
	flags, err := svc.Plausibility(ctx, e, []datacall.CityRef{cityRef(c)})
	if err != nil {
		return nil, err
	}
	lang := web.ReaderLang(r)
	for _, n := range e.Indicators() {
		ind := call.Catalogue[n.Code]
		row := valueRow{Ind: ind, Optional: n.Optional, Errors: byInd[n.Code],
			History: cityPath(e.Code, c.Code) + "/history/" + url.PathEscape(n.Code)}
		for _, f := range flags[datacall.Key{City: c.Code, Indicator: n.Code}] {
			reason := a.s.Catalog().T(lang, f.Reason.Key, f.Reason.Args...)
			row.Unusual = append(row.Unusual, reason)
			d.Unusual = append(d.Unusual, unusualView{Indicator: n.Code, Name: ind.Name, Reason: reason})
		}
		if l, ok := last[datacall.Key{City: c.Code, Indicator: n.Code}]; ok {
			row.Last = fmtNum(l)
		}
		if v, ok := cur[datacall.Key{City: c.Code, Indicator: n.Code}]; ok {
			row.Value, row.Has = v, true
			row.In = datacall.Entry{Value: fmtNum(v.Value), Source: v.Source, DataYear: strconv.Itoa(v.DataYear), MethodNote: v.MethodNote, Comment: v.Comment}
			if v.Estimated {
				row.In.Estimated = "yes"
			}
			if !n.Optional {
				d.Entered++
			}
		}
		if p, ok := posted[n.Code]; ok {
			row.In = p
		}
		if !n.Optional {
			d.Required++
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

func (a *Area) dataCallCity(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	d, err := a.cityPage(r, call, c, nil, nil)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "datacall_city.html", d)
}

func (a *Area) dataCallSave(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	if err := mayEdit(r, c); err != nil {
		return err
	}
	// The form has every indicator's fields; only the filled-in ones are
	// entries (as in an upload), found from the posted fields.
	r.ParseMultipartForm(32 << 20) // as PostFormValue does: a bad body leaves the form empty
	field := func(name, code string) string {
		if vs := r.PostForm[name+"_"+code]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	entry := func(code string) datacall.Entry {
		return datacall.Entry{City: c.Code, Indicator: code, Unit: call.Catalogue[code].Unit, Value: field("v", code), Source: field("src", code),
			DataYear: field("yr", code), MethodNote: field("note", code), Estimated: field("est", code), Comment: field("com", code)}
	}
	filled := map[string]bool{}
	for k, vs := range r.PostForm {
		name, code, ok := strings.Cut(k, "_")
		if ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" && (name == "v" || name == "src" || name == "yr" || name == "note" || name == "com") {
			filled[code] = true
		}
	}
	var entries []datacall.Entry
	for _, n := range call.Edition.Indicators() {
		if filled[n.Code] {
			entries = append(entries, entry(n.Code))
		}
	}
	res, err := a.svc.ImportCall(r.Context(), dataCallActor(r), call, []datacall.CityRef{cityRef(c)}, entries)
	if ps := checksRefused(err); ps != nil {
		posted := map[string]datacall.Entry{} // the form as sent, to fill in again
		for _, n := range call.Edition.Indicators() {
			posted[n.Code] = entry(n.Code)
		}
		d, err := a.cityPage(r, call, c, posted, ps)
		if err != nil {
			return err
		}
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "datacall_city.html", d)
	}
	if err != nil {
		return err
	}
	key := "flash.dc_saved"
	if res.Changed == 1 {
		key = "flash.dc_saved_one"
	}
	a.s.RedirectFlash(w, r, cityPath(call.Edition.Code, c.Code), key, res.Changed, res.Unchanged)
	return nil
}

func (a *Area) dataCallTemplate(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	vals, err := a.store.CityValues(ctx, call.Edition.Code, c.Code)
	if err != nil {
		return err
	}
	last, err := a.svc.LastValues(ctx, call.Edition, []datacall.CityRef{cityRef(c)})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = datacall.WriteTemplate(&buf, datacall.TemplateInput{Edition: call.Edition, Catalogue: call.Catalogue,
		Cities: []datacall.TemplateCity{{Code: c.Code, Name: c.Name}}, Last: last, Current: datacall.Current(vals)})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("citylens-%s-%s.xlsx", call.Edition.Code, c.Code)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (a *Area) dataCallUpload(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	if err := mayEdit(r, c); err != nil {
		return err
	}
	filename, data, err := uploadedFile(r)
	if err != nil {
		return err
	}
	return a.upload(w, r, call, c, []datacall.CityRef{cityRef(c)}, filename, data, cityPath(call.Edition.Code, c.Code))
}

// upload imports a file for the cities refs, then goes back with a flash;
// a refused file's every problem is listed on a page and nothing imported.
// who names the upload on that page (a city, or the whole network).
func (a *Area) upload(w http.ResponseWriter, r *http.Request, call *datacall.Call, who members.City, refs []datacall.CityRef,
	filename string, data []byte, back string) error {
	res, err := a.svc.Upload(r.Context(), dataCallActor(r), call.Edition.Code, refs, filename, data)
	data = nil // the file is no longer needed while the page is made
	if ps := checksRefused(err); ps != nil {
		total := max(datacall.ProblemTotal(err), len(ps))
		shown := ps[:min(len(ps), maxShownProblems)]
		page := map[string]any{"City": who, "Edition": call.Edition, "File": filename, "Errors": a.problems(r, shown, false),
			"Back": back, "Total": total, "More": total - len(shown), "Kept": len(ps)}
		if len(ps) > len(shown) {
			link, err := a.problemReport(r, filename, ps, total)
			if err != nil {
				return err
			}
			page["Report"] = link
		}
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "datacall_upload.html", page)
	}
	if err != nil {
		return err
	}
	key := "flash.dc_imported"
	if res.Changed == 1 {
		key = "flash.dc_imported_one"
	}
	a.s.RedirectFlash(w, r, back, key, filename, res.Changed, res.Unchanged)
	return nil
}

// maxShownProblems is how many problems a refused upload's page lists;
// the others are in its downloadable problem list.
const maxShownProblems = 200

// problemReport stores the problems of a refused upload as a CSV file the
// uploader can download for a day, and returns its link.
func (a *Area) problemReport(r *http.Request, filename string, ps []citylens.Problem, total int) (string, error) {
	lang := web.ReaderLang(r)
	cat := a.s.Catalog()
	body, err := datacall.ProblemsCSV(ps, []string{cat.T(lang, "dc.col.row"), cat.T(lang, "dc.col.column"), cat.T(lang, "col.city"),
		cat.T(lang, "cat.indicator"), cat.T(lang, "dc.col.problem")}, func(p citylens.Problem) string { return a.s.ProblemReason(lang, p) })
	if err != nil {
		return "", err
	}
	token := accounts.NewToken()
	now := a.s.Now().UTC()
	err = a.store.PutUploadReport(r.Context(), datacall.UploadReport{TokenHash: accounts.HashToken(token), UserID: web.ViewerOf(r).User.ID,
		FileName: filename, Problems: total, Body: body, CreatedAt: now, ExpiresAt: now.Add(datacall.ReportLifetime)})
	return "/account/upload-problems/" + token, err
}

// dataCallProblems downloads a refused upload's problem list (its
// uploader only).
func (a *Area) dataCallProblems(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.store.UploadReport(r.Context(), accounts.HashToken(r.PathValue("token")), web.ViewerOf(r).User.ID, a.s.Now().UTC())
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return citylens.E(citylens.ENOTFOUND, "error.upload_report")
	}
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(rep.Body))
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(strings.Map(func(c rune) rune {
		if c < 0x20 || c == '"' || c == '\\' || c == '/' || c > 0x7e {
			return '_'
		}
		return c
	}, rep.FileName), ".") + "-problems.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = io.Copy(w, zr)
	return err
}

// dataCallNetworkUpload imports the secretariat's workbook of many cities
// (the template's columns, one row per city and indicator) in one
// transaction: any invalid row imports nothing.
func (a *Area) dataCallNetworkUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	call, err := a.svc.LoadCall(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	filename, data, err := uploadedFile(r)
	if err != nil {
		return err
	}
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	refs := make([]datacall.CityRef, len(cities))
	for i, c := range cities {
		refs[i] = cityRef(c)
	}
	return a.upload(w, r, call, members.City{Name: a.s.T(r, "dc.upload.network")}, refs, filename, data,
		"/admin/editions/"+url.PathEscape(call.Edition.Code))
}

func (a *Area) dataCallTransition(action string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		call, c, err := a.callCity(r)
		if err != nil {
			return err
		}
		sub, err := a.svc.Transition(r.Context(), dataCallActor(r), call.Edition.Code, cityRef(c), action, "", nil)
		if err != nil {
			return err
		}
		a.s.RedirectFlash(w, r, cityPath(call.Edition.Code, c.Code), "flash.dc_state", web.Label(a.s.Catalog(), web.ReaderLang(r), "dc.state", sub.State))
		return nil
	}
}

func (a *Area) dataCallReview(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	action := r.PostFormValue("action")
	if action != datacall.ActionReturn && action != datacall.ActionAccept {
		return citylens.E(citylens.EINVALID, "error.dc_action", datacall.ActionReturn, datacall.ActionAccept)
	}
	comments := map[string]string{}
	for _, n := range call.Edition.Indicators() {
		if v := strings.TrimSpace(r.PostFormValue("rc_" + n.Code)); v != "" {
			comments[n.Code] = v
		}
	}
	overall := strings.TrimSpace(r.PostFormValue("comment"))
	sub, err := a.svc.Transition(r.Context(), dataCallActor(r), call.Edition.Code, cityRef(c), action, overall, comments)
	if e := citylens.AsError(err); e != nil && e.Code == citylens.EINVALID {
		// The form again, with what the reviewer typed (every per-value
		// comment and the overall one) and why it was refused.
		d, perr := a.cityPage(r, call, c, nil, nil)
		if perr != nil {
			return perr
		}
		for i := range d.Rows {
			d.Rows[i].Value.ReviewComment = comments[d.Rows[i].Ind.Code]
		}
		d.Overall, d.ReviewError = overall, a.s.Message(web.ReaderLang(r), err)
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "datacall_city.html", d)
	}
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/datacall/"+url.PathEscape(call.Edition.Code)+"/review", "flash.dc_reviewed", c.Name, web.Label(a.s.Catalog(), web.ReaderLang(r), "dc.state", sub.State))
	return nil
}

func (a *Area) dataCallHistory(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	code := r.PathValue("indicator")
	ind, ok := call.Catalogue[code]
	if !ok || !inEdition(call.Edition, code) {
		return citylens.E(citylens.ENOTFOUND, "error.dc_not_in_edition", code, call.Edition.Code)
	}
	hist, err := a.svc.History(r.Context(), call.Edition.Code, c.Code, code)
	if err != nil {
		return err
	}
	rows := make([]historyRow, len(hist))
	lang := web.ReaderLang(r)
	for i, h := range hist {
		rows[i] = historyRow{Entry: h, Before: describeValue(a.s.Catalog(), lang, h.Before), After: describeValue(a.s.Catalog(), lang, h.After)}
	}
	return a.s.Render(w, r, "datacall_history.html", map[string]any{
		"City": c, "Edition": call.Edition, "Ind": ind, "History": rows, "Back": cityPath(call.Edition.Code, c.Code)})
}

func inEdition(e *catalogue.Edition, code string) bool {
	for _, n := range e.Indicators() {
		if n.Code == code {
			return true
		}
	}
	return false
}

// scopeRegion is the region a reviewer oversees, "" for the secretariat.
func scopeRegion(r *http.Request) string {
	if v := web.ViewerOf(r); v.User.Role == accounts.RoleRegional {
		return v.User.RegionCode
	}
	return ""
}

// scopedCities lists the cities a reviewer oversees.
func (a *Area) scopedCities(r *http.Request) ([]members.City, error) {
	v := web.ViewerOf(r)
	f := members.CityFilter{}
	if v.User.Role == accounts.RoleRegional {
		if v.User.RegionCode == "" {
			return nil, nil
		}
		f.RegionCode = v.User.RegionCode
	}
	return a.store.ListCities(r.Context(), f)
}

type reviewData struct {
	Edition *catalogue.Edition
	Queue   []queueRow
	Region  string
}

type queueRow struct {
	datacall.QueueItem
	City members.City
}

func (a *Area) dataCallQueue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := a.store.Edition(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	cities, err := a.scopedCities(r)
	if err != nil {
		return err
	}
	codes, byCode := cityIndex(cities)
	board, err := a.svc.CoverageBoard(ctx, e, scopeRegion(r), codes)
	if err != nil {
		return err
	}
	d := reviewData{Edition: e, Region: web.ViewerOf(r).User.RegionCode}
	for _, it := range datacall.ReviewQueue(board.Progress, board.Submissions) {
		d.Queue = append(d.Queue, queueRow{QueueItem: it, City: byCode[it.City]})
	}
	return a.s.Render(w, r, "datacall_review.html", d)
}

func cityIndex(cities []members.City) ([]string, map[string]members.City) {
	codes := make([]string, len(cities))
	by := make(map[string]members.City, len(cities))
	for i, c := range cities {
		codes[i] = c.Code
		by[c.Code] = c
	}
	return codes, by
}

type coverageRow struct {
	datacall.CityProgress
	City members.City
}

type availabilityRow struct {
	datacall.IndicatorAvailability
	Name string
}

func (a *Area) dataCallCoverage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	call, err := a.svc.LoadCall(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	cities, err := a.scopedCities(r)
	if err != nil {
		return err
	}
	codes, byCode := cityIndex(cities)
	board, err := a.svc.CoverageBoard(ctx, call.Edition, scopeRegion(r), codes)
	if err != nil {
		return err
	}
	progress, avail := board.Progress, board.Availability
	states := map[string]int{}
	rows := make([]coverageRow, len(progress))
	for i, p := range progress {
		rows[i] = coverageRow{CityProgress: p, City: byCode[p.City]}
		states[p.State]++
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Share < rows[j].Share })
	// Cities furthest behind first, a page at a time.
	const perPage = 200
	pages := max(1, (len(rows)+perPage-1)/perPage)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = min(max(page, 1), pages)
	total := len(rows)
	rows = rows[(page-1)*perPage : min(len(rows), page*perPage)]
	av := make([]availabilityRow, len(avail))
	for i, ia := range avail {
		av[i] = availabilityRow{IndicatorAvailability: ia, Name: call.Catalogue[ia.Indicator].Name}
	}
	return a.s.Render(w, r, "datacall_coverage.html", map[string]any{
		"Edition": call.Edition, "Cities": rows, "Availability": av, "States": states, "Total": total,
		"Page": page, "Pages": pages, "Prev": page - 1, "Next": (page + 1) % (pages + 1),
		"StateOrder": []string{datacall.StateDraft, datacall.StateSubmitted, datacall.StateReturned, datacall.StateAccepted},
	})
}

// historyRow is one change of a value, for people.
type historyRow struct {
	Entry         auditlog.Entry
	Before, After string
}

// describeValue turns an audited value (JSON) into a line of text in lang.
func describeValue(cat *i18n.Catalog, lang i18n.Lang, raw []byte) string {
	var v struct {
		Value      *float64 `json:"value"`
		Unit       string   `json:"unit"`
		Source     string   `json:"source"`
		DataYear   int      `json:"data_year"`
		MethodNote string   `json:"method_note"`
		Estimated  bool     `json:"estimated"`
		Comment    string   `json:"comment"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Value == nil {
		return "—"
	}
	out := cat.T(lang, "dc.hist.value", fmtNum(*v.Value), v.Unit, v.Source, v.DataYear)
	if v.Estimated {
		out += "; " + cat.T(lang, "dc.hist.estimated")
	}
	if v.MethodNote != "" {
		out += "; " + cat.T(lang, "dc.hist.method", v.MethodNote)
	}
	if v.Comment != "" {
		out += "; " + cat.T(lang, "dc.hist.comment", v.Comment)
	}
	return out
}

// uploadedFile reads the "file" part of a multipart upload, within the data
// call's size limit.
func uploadedFile(r *http.Request) (name string, data []byte, err error) {
	if r.MultipartForm == nil {
		return "", nil, citylens.E(citylens.EINVALID, "error.dc_multipart")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, citylens.E(citylens.EINVALID, "error.dc_file")
	}
	defer f.Close()
	data, err = datacall.ReadLimited(f, datacall.DefaultMaxUploadBytes)
	return hdr.Filename, data, err
}
