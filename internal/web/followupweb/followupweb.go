// Package followupweb is the winners' follow-up part of the web layer: the
// list of feasibility studies, each study's public progress page (with
// the editing forms for its host city's focal point, its partners and the
// secretariat), evidence files behind access-checked, unguessable URLs,
// and the ceremony report as printable HTML and PDF. Handlers call the
// follow-up service (internal/followup), which decides who edits and who
// sees which evidence.
package followupweb

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/profilepdf"
	"github.com/citylens/citylens/internal/web"
)

// Area is the follow-up web area.
type Area struct {
	svc *followup.Service
	s   *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the follow-up area.
func New(svc *followup.Service) *Area { return &Area{svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the follow-up's pages (followup_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// Register adds the follow-up's routes. Editing routes let every
// signed-in user in: the service answers 403 to whoever does not edit the
// study (and 404 for a study that does not exist).
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /followup", web.AccessPublic, a.listPage)
	s.Page("GET /followup/studies/{id}", web.AccessPublic, a.studyPage)
	s.Page("POST /followup/studies/{id}", web.AccessSignedIn, a.update)
	s.Page("POST /followup/studies/{id}/partners", web.AccessSignedIn, a.addPartner)
	s.Page("POST /followup/studies/{id}/milestones", web.AccessSignedIn, a.addMilestone)
	s.Page("POST /followup/studies/{id}/milestones/{m}", web.AccessSignedIn, a.updateMilestone)
	s.Page("POST /followup/studies/{id}/milestones/{m}/evidence", web.AccessSignedIn, a.addEvidence,
		web.WithMaxBody(prize.MaxAttachmentBytes+1<<20), web.StreamsUpload())
	s.Page("POST /followup/studies/{id}/partners/{p}", web.AccessSignedIn, a.updatePartner)
	s.Page("POST /followup/studies/{id}/partners/{p}/remove", web.AccessSignedIn, a.removePartner)
	s.Page("POST /followup/studies/{id}/evidence/{e}", web.AccessSignedIn, a.updateEvidence)
	s.Page("POST /followup/studies/{id}/evidence/{e}/remove", web.AccessSignedIn, a.removeEvidence)
	s.Page("GET /followup/files/{file}", web.AccessPublic, a.download)
	s.Page("GET /followup/report/{edition}", web.AccessPublic, a.reportPage)
	s.Page("GET /followup/report/{edition}/pdf", web.AccessPublic, a.reportPDF)
	s.Page("POST /admin/followup/studies/{id}/modality", web.AccessAdmin, a.setModality)
	s.Page("POST /admin/followup/studies/{id}/review", web.AccessAdmin, a.review)
	s.Page("POST /admin/followup/{edition}/open", web.AccessAdmin, a.open)
	a.registerAPI(s)
}

// Nav links the studies.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	return []web.NavLink{{Href: "/followup", Label: "nav.followup"}}
}

func viewer(r *http.Request) followup.Viewer {
	v := web.ViewerOf(r)
	fv := followup.Viewer{UserID: v.User.ID, Email: v.User.Email, RemoteAddr: r.RemoteAddr}
	switch v.User.Role {
	case accounts.RoleAdmin:
		fv.Admin = true
	case accounts.RoleFocal:
		fv.City = v.User.CityCode
	}
	return fv
}

func studyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "followup.error.notfound", "Study %d not found.", int64(0))
	}
	return id, nil
}

func milestoneID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("m"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "followup.error.milestone", "Milestone %d not found.", int64(0))
	}
	return id, nil
}

// subID is the path's value name as an ID (ENOTFOUND for a malformed one).
func subID(r *http.Request, name, key, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, key, what+" %d not found.", int64(0))
	}
	return id, nil
}

var editionRe = regexp.MustCompile(`^[A-Za-z0-9-]{1,20}$`)

func edition(r *http.Request) (string, error) {
	e := r.PathValue("edition")
	if !editionRe.MatchString(e) {
		return "", citylens.Ef(citylens.ENOTFOUND, "followup.error.edition", "No studies of edition %s.", "?")
	}
	return e, nil
}

// milestoneView is a milestone with its derived status.
type milestoneView struct {
	followup.Milestone
	Status string
	Title  string // in the reader's language
	Deliv  string // the deliverables in the reader's language
}

// studyData is a study's page.
type studyData struct {
	Study      *followup.Study
	Status     string
	Done       int
	Total      int
	Milestones []milestoneView
	Editable   bool
	Admin      bool
	Lang       string
	Message    string
	Problems   []string
	Form       string // which form the message is about
	Modalities []string
	Statuses   []string
	Roles      []string
	MaxFile    int64
}

func (a *Area) deliverables(lang string, m followup.Milestone) string {
	if lang == string(i18n.Korean) && m.DeliverablesKO != "" {
		return m.DeliverablesKO
	}
	return m.Deliverables
}

func (a *Area) title(lang string, m followup.Milestone) string {
	if lang == string(i18n.Korean) && m.TitleKO != "" {
		return m.TitleKO
	}
	return m.Title
}

func (a *Area) studyData(r *http.Request, id int64) (*studyData, error) {
	v := viewer(r)
	st, editable, err := a.svc.Get(r.Context(), v, id)
	if err != nil {
		return nil, err
	}
	at := a.svc.Time()
	lang := string(web.ReaderLang(r))
	d := &studyData{Study: st, Status: followup.StudyStatus(st, at), Editable: editable, Admin: v.Admin, Lang: lang,
		Modalities: followup.Modalities, Statuses: followup.ReportedStatuses, Roles: followup.PartnerRoles, MaxFile: prize.MaxAttachmentBytes}
	d.Done, d.Total = followup.Progress(st)
	for _, m := range st.Milestones {
		d.Milestones = append(d.Milestones, milestoneView{Milestone: m, Status: followup.MilestoneStatus(m, at), Title: a.title(lang, m),
			Deliv: a.deliverables(lang, m)})
	}
	return d, nil
}

func (a *Area) listPage(w http.ResponseWriter, r *http.Request) error {
	ed := strings.TrimSpace(r.URL.Query().Get("edition"))
	if ed != "" && !editionRe.MatchString(ed) {
		ed = ""
	}
	studies, err := a.svc.List(r.Context(), viewer(r), ed)
	if err != nil {
		return err
	}
	at := a.svc.Time()
	type row struct {
		Study       *followup.Study
		Status      string
		Done, Total int
	}
	var rows []row
	editions := map[string]bool{}
	var eds []string
	for _, st := range studies {
		rw := row{Study: st, Status: followup.StudyStatus(st, at)}
		rw.Done, rw.Total = followup.Progress(st)
		rows = append(rows, rw)
		if !editions[st.Edition] {
			editions[st.Edition] = true
			eds = append(eds, st.Edition)
		}
	}
	return a.s.Render(w, r, "followup_list.html", map[string]any{"Rows": rows, "Editions": eds, "Admin": viewer(r).Admin})
}

func (a *Area) studyPage(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	d, err := a.studyData(r, id)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "followup_study.html", d)
}

// refused shows the study again with what was wrong, for the errors of
// bad input (an invalid field, a file too large or of a wrong type); other
// errors go to the core.
func (a *Area) refused(w http.ResponseWriter, r *http.Request, id int64, form string, err error) error {
	code := citylens.ErrorCode(err)
	status := 0
	switch code {
	case citylens.EINVALID:
		status = http.StatusUnprocessableEntity
	case citylens.ETOOLARGE:
		status = http.StatusRequestEntityTooLarge
	case citylens.EUNSUPPORTED:
		status = http.StatusUnsupportedMediaType
	case citylens.ECONFLICT:
		status = http.StatusConflict
	default:
		return err
	}
	d, derr := a.studyData(r, id)
	if derr != nil {
		return err
	}
	if !d.Editable {
		return err
	}
	lang := web.ReaderLang(r)
	d.Message, d.Form = a.s.Message(lang, err), form
	if ce := citylens.AsError(err); ce != nil {
		for _, p := range ce.Problems {
			reason := p.Reason
			if p.Key != "" {
				reason = a.s.T(r, p.Key, p.Args...)
			}
			d.Problems = append(d.Problems, a.s.T(r, "followup.field."+p.Field)+": "+reason)
		}
	}
	return a.s.RenderStatus(w, r, status, "followup_study.html", d)
}

func (a *Area) done(w http.ResponseWriter, r *http.Request, id int64, flash string) {
	a.s.RedirectFlash(w, r, "/followup/studies/"+strconv.FormatInt(id, 10), flash)
}

// number reads a decimal field: ok false when it is not a number.
func number(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (a *Area) update(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	budget, ok := number(f("budget"))
	if !ok {
		return a.refused(w, r, id, "study", citylens.Ef(citylens.EINVALID, "followup.error.invalid", "nothing was saved: correct the fields named below").
			WithProblems(citylens.Problem{Field: "budget"}.Keyed("followup.error.number", "%q is not a number", f("budget"))))
	}
	err = a.svc.Update(r.Context(), viewer(r), id, followup.StudyEdit{Currency: strings.TrimSpace(f("currency")), Budget: budget,
		Reported: f("status"), Risks: f("risks"), FinalReport: f("final_report")})
	if err != nil {
		return a.refused(w, r, id, "study", err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) addPartner(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	p := followup.Partner{Kind: f("kind"), CityCode: strings.TrimSpace(f("city_code")), Name: strings.TrimSpace(f("name")), Role: f("role")}
	if err := a.svc.AddPartner(r.Context(), viewer(r), id, p, f("email")); err != nil {
		return a.refused(w, r, id, "partner", err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) addMilestone(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	m := followup.Milestone{Title: strings.TrimSpace(f("title")), TitleKO: strings.TrimSpace(f("title_ko")), Due: strings.TrimSpace(f("due")),
		Deliverables: f("deliverables"), DeliverablesKO: f("deliverables_ko"), Reported: followup.StatusOnTrack}
	if err := a.svc.AddMilestone(r.Context(), viewer(r), id, m, f("owner")); err != nil {
		return a.refused(w, r, id, "milestone", err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) updateMilestone(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	mid, err := milestoneID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if err := a.svc.UpdateMilestone(r.Context(), viewer(r), id, mid, followup.MilestoneEdit{Due: f("due"), Reported: f("status"),
		Deliverables: f("deliverables"), DeliverablesKO: f("deliverables_ko")}); err != nil {
		return a.refused(w, r, id, fmt.Sprintf("m%d", mid), err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

// ids are the study's ID and the path's sub-record's (a partner's p, an
// evidence's e).
func ids(r *http.Request, name, key, what string) (int64, int64, error) {
	id, err := studyID(r)
	if err != nil {
		return 0, 0, err
	}
	sub, err := subID(r, name, key, what)
	return id, sub, err
}

func (a *Area) updatePartner(w http.ResponseWriter, r *http.Request) error {
	id, pid, err := ids(r, "p", "followup.error.partner", "Partner")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	p := followup.Partner{Kind: f("kind"), CityCode: f("city_code"), Name: f("name"), Role: f("role")}
	if err := a.svc.UpdatePartner(r.Context(), viewer(r), id, pid, p, f("email"), f("no_account") == "1"); err != nil {
		return a.refused(w, r, id, fmt.Sprintf("p%d", pid), err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) removePartner(w http.ResponseWriter, r *http.Request) error {
	id, pid, err := ids(r, "p", "followup.error.partner", "Partner")
	if err != nil {
		return err
	}
	if err := a.svc.RemovePartner(r.Context(), viewer(r), id, pid); err != nil {
		return a.refused(w, r, id, fmt.Sprintf("p%d", pid), err)
	}
	a.done(w, r, id, "flash.followup.removed")
	return nil
}

func (a *Area) updateEvidence(w http.ResponseWriter, r *http.Request) error {
	id, eid, err := ids(r, "e", "followup.error.evidence", "Evidence")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	ed := followup.EvidenceEdit{Label: f("label"), Public: f("public") == "1", URL: f("url"), Indicator: f("indicator"), Unit: f("unit")}
	var ps []citylens.Problem
	for _, nf := range []struct {
		field string
		v     *float64
	}{{"before", &ed.Before}, {"after", &ed.After}} {
		x, ok := number(f(nf.field))
		if !ok {
			ps = append(ps, citylens.Problem{Field: nf.field}.Keyed("followup.error.number", "%q is not a number", f(nf.field)))
		}
		*nf.v = x
	}
	if len(ps) > 0 {
		err = citylens.Ef(citylens.EINVALID, "followup.error.invalid", "nothing was saved: correct the fields named below").WithProblems(ps...)
	} else {
		err = a.svc.UpdateEvidence(r.Context(), viewer(r), id, eid, ed)
	}
	if err != nil {
		return a.refused(w, r, id, fmt.Sprintf("e%d", eid), err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) removeEvidence(w http.ResponseWriter, r *http.Request) error {
	id, eid, err := ids(r, "e", "followup.error.evidence", "Evidence")
	if err != nil {
		return err
	}
	if err := a.svc.RemoveEvidence(r.Context(), viewer(r), id, eid); err != nil {
		return a.refused(w, r, id, fmt.Sprintf("e%d", eid), err)
	}
	a.done(w, r, id, "flash.followup.removed")
	return nil
}

// addEvidence adds a link, a measured indicator or a file to a milestone.
// The body is read as a stream (the route StreamsUpload): the fields
// before the file are read by the core, the service copies the file into
// the database chunk by chunk as it arrives.
func (a *Area) addEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	mid, err := milestoneID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	e := followup.Evidence{Kind: f("kind"), Label: f("label"), Public: f("public") == "1", URL: f("url"), Indicator: f("indicator"), Unit: f("unit")}
	var ps []citylens.Problem
	for _, nf := range []struct {
		field string
		v     *float64
	}{{"before", &e.Before}, {"after", &e.After}} {
		if e.Kind != followup.EvidenceIndicator {
			break
		}
		x, ok := number(f(nf.field))
		if !ok || strings.TrimSpace(f(nf.field)) == "" {
			ps = append(ps, citylens.Problem{Field: nf.field}.Keyed("followup.error.number", "%q is not a number", f(nf.field)))
		}
		*nf.v = x
	}
	if len(ps) > 0 {
		return a.refused(w, r, id, fmt.Sprintf("m%d", mid), citylens.Ef(citylens.EINVALID, "followup.error.invalid",
			"nothing was saved: correct the fields named below").WithProblems(ps...))
	}
	var part *multipart.Part
	name := ""
	if e.Kind == followup.EvidenceFile {
		if up := web.UploadOf(r); up != nil {
			if part, err = up.NextFile(); err != nil {
				return err
			}
		}
		if part != nil && part.FormName() != "file" {
			part = nil
		}
		if part != nil {
			name = part.FileName()
		}
	}
	var file io.Reader
	if part != nil {
		file = part
	}
	if _, err := a.svc.AddEvidence(r.Context(), viewer(r), id, mid, e, name, file); err != nil {
		return a.refused(w, r, id, fmt.Sprintf("m%d", mid), err)
	}
	a.s.RedirectFlash(w, r, "/followup/studies/"+strconv.FormatInt(id, 10)+"#m"+strconv.FormatInt(mid, 10), "flash.followup.evidence")
	return nil
}

// download streams an evidence file the viewer may read, as an attachment
// of its sniffed type.
func (a *Area) download(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	f, err := a.svc.File(r.Context(), v, r.PathValue("file"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	return a.svc.WriteFile(r.Context(), v, f.ID, w)
}

func (a *Area) setModality(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	if err := a.svc.SetModality(r.Context(), viewer(r), id, r.PostFormValue("modality"), r.PostFormValue("modality_reason")); err != nil {
		return a.refused(w, r, id, "modality", err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) review(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if err := a.svc.Review(r.Context(), viewer(r), id, f("review"), f("decision"), f("decision_reason")); err != nil {
		return a.refused(w, r, id, "review", err)
	}
	a.done(w, r, id, "flash.followup.saved")
	return nil
}

func (a *Area) open(w http.ResponseWriter, r *http.Request) error {
	ed, err := edition(r)
	if err != nil {
		return err
	}
	v := viewer(r)
	n, err := a.svc.OpenForEdition(r.Context(), v.Actor(), ed)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/followup?edition="+url.QueryEscape(ed), "flash.followup.opened", n)
	return nil
}

// reportRow is a study in the ceremony report, worded.
type reportRow struct {
	followup.ReportRow
	Milestones []milestoneView
}

func (a *Area) report(r *http.Request) (*followup.Report, []reportRow, error) {
	ed, err := edition(r)
	if err != nil {
		return nil, nil, err
	}
	rep, err := a.svc.CeremonyReport(r.Context(), ed)
	if err != nil {
		return nil, nil, err
	}
	if len(rep.Rows) == 0 {
		return nil, nil, citylens.Ef(citylens.ENOTFOUND, "followup.error.edition", "No studies of edition %s.", ed)
	}
	lang := string(web.ReaderLang(r))
	var rows []reportRow
	for _, row := range rep.Rows {
		rr := reportRow{ReportRow: row}
		for i, m := range row.Study.Milestones {
			rr.Milestones = append(rr.Milestones, milestoneView{Milestone: m, Status: row.Statuses[i], Title: a.title(lang, m),
				Deliv: a.deliverables(lang, m)})
		}
		rows = append(rows, rr)
	}
	return rep, rows, nil
}

func (a *Area) reportPage(w http.ResponseWriter, r *http.Request) error {
	rep, rows, err := a.report(r)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "followup_report.html", map[string]any{"Report": rep, "Rows": rows, "Statuses": followup.Statuses})
}

// reportPDF prints the ceremony report with the city profile's printer
// (profilepdf), which embeds the font that prints English and Korean.
func (a *Area) reportPDF(w http.ResponseWriter, r *http.Request) error {
	rep, rows, err := a.report(r)
	if err != nil {
		return err
	}
	t := func(key string, args ...any) string { return a.s.T(r, key, args...) }
	doc := profilepdf.Doc{Lang: string(web.ReaderLang(r)), Title: t("followup.report.title", rep.Edition),
		Subtitle: t("followup.report.subtitle", rep.At.UTC().Format(followup.DateLayout)), PageLabel: t("followup.report.page"),
		Footer: t("followup.report.footer", rep.Edition), Created: rep.At}
	if a.s.Demo() {
		doc.Demo = t("followup.report.demo")
	}
	doc.Facts = append(doc.Facts, [2]string{t("followup.report.studies"), strconv.Itoa(len(rows))})
	for _, s := range followup.Statuses {
		doc.Facts = append(doc.Facts, [2]string{t("followup.status." + s), strconv.Itoa(rep.Count[s])})
	}
	doc.PeersHeading = t("followup.report.studies")
	doc.PeerColumns = []string{t("followup.field.title"), t("followup.field.host_city"), t("followup.field.modality"), t("followup.field.status"), t("followup.report.progress")}
	for _, row := range rows {
		st := row.Study
		doc.Peers = append(doc.Peers, []string{st.Title, st.HostCityName, t("followup.modality.short." + st.Modality), t("followup.status." + row.Status),
			fmt.Sprintf("%d/%d", row.Done, row.Total)})
	}
	doc.SourcesHeading = t("followup.report.milestones")
	for _, row := range rows {
		for _, m := range row.Milestones {
			doc.Sources = append(doc.Sources, fmt.Sprintf("%s — %s (%s): %s", row.Study.Title, m.Title, m.Due, t("followup.status."+m.Status)))
		}
		for _, e := range row.Indicators {
			doc.Sources = append(doc.Sources, fmt.Sprintf("%s — %s: %s → %s %s", row.Study.Title, e.Label, evidenceNum(e.Before), evidenceNum(e.After), e.Unit))
		}
	}
	var buf bytes.Buffer
	if err := profilepdf.Write(&buf, doc); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="followup-`+rep.Edition+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}

// evidenceNum prints an indicator's before or after value: no trailing zeros.
func evidenceNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// TemplateFuncs are the follow-up's template functions.
func (a *Area) TemplateFuncs() template.FuncMap {
	return template.FuncMap{"evidenceNum": evidenceNum}
}
