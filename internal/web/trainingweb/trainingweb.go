// Package trainingweb is the capacity-building training's part of the web
// layer: the programme's cohorts, each cohort's page (the secretariat's
// sessions, assignments, enrolment, attendance, certificates and the
// feedback's aggregate; a participant's own progress, submissions and
// feedback form), certificates as PDFs, and the public verification page
// that shows only a certificate's holder, course and date. Handlers call
// the training service (internal/training), which holds the rules.
package trainingweb

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web"
)

// Area is the training web area.
type Area struct {
	svc     *training.Service
	s       *web.Server
	baseURL string
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the training area; baseURL prefixes the verification address
// printed on certificates.
func New(svc *training.Service, baseURL string) *Area {
	return &Area{svc: svc, baseURL: strings.TrimRight(baseURL, "/")}
}

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the training pages (training_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// AccessOfficials may ask to join a cohort: member cities' focal points
// and regional officers.
var AccessOfficials = web.Access{Name: "training-officials", Roles: []accounts.Role{accounts.RoleRegional, accounts.RoleFocal}}

// Register adds the training routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /training", web.AccessSignedIn, a.indexPage)
	s.Page("GET /training/cohorts/{id}", web.AccessSignedIn, a.cohortPage)
	s.Page("GET /training/verify", web.AccessPublic, a.verifyPage)
	s.Page("GET /training/certificates/{number}", web.AccessSignedIn, a.certificate)
	s.Page("POST /training/cohorts/{id}/request", AccessOfficials, a.request)
	s.Page("POST /training/cohorts/{id}/feedback", web.AccessSignedIn, a.feedback)
	s.Page("POST /training/assignments/{id}/submit", web.AccessSignedIn, a.submit,
		web.WithMaxBody(prize.MaxAttachmentBytes+1<<20), web.StreamsUpload())
	s.Page("GET /training/files/{file}", web.AccessSignedIn, a.download)
	s.Page("POST /admin/training/courses/{id}/materials", web.AccessAdmin, a.addMaterial,
		web.WithMaxBody(prize.MaxAttachmentBytes+1<<20), web.StreamsUpload())
	s.Page("POST /admin/training/courses/{id}/materials/{n}", web.AccessAdmin, a.updateMaterial,
		web.WithMaxBody(prize.MaxAttachmentBytes+1<<20), web.StreamsUpload())
	s.Page("POST /admin/training/courses/{id}/materials/{n}/remove", web.AccessAdmin, a.removeMaterial)
	s.Page("POST /admin/training/courses", web.AccessAdmin, a.createCourse)
	s.Page("POST /admin/training/cohorts", web.AccessAdmin, a.createCohort)
	s.Page("POST /admin/training/cohorts/{id}/sessions", web.AccessAdmin, a.addSession)
	s.Page("POST /admin/training/cohorts/{id}/assignments", web.AccessAdmin, a.addAssignment)
	s.Page("POST /admin/training/cohorts/{id}/enrol-winners", web.AccessAdmin, a.enrolWinners)
	s.Page("POST /admin/training/cohorts/{id}/certificates", web.AccessAdmin, a.issue)
	s.Page("POST /admin/training/enrolments/{id}", web.AccessAdmin, a.decide)
	s.Page("POST /admin/training/sessions/{id}/attendance", web.AccessAdmin, a.attendance)
	a.registerAPI(s)
}

// Nav links the programme for signed-in people.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	if !v.SignedIn() {
		return nil
	}
	return []web.NavLink{{Href: "/training", Label: "nav.training"}}
}

func viewer(r *http.Request) training.Viewer {
	u := web.ViewerOf(r).User
	tv := training.Viewer{UserID: u.ID, Email: u.Email, RemoteAddr: r.RemoteAddr}
	switch u.Role {
	case accounts.RoleAdmin:
		tv.Admin = true
	case accounts.RoleRegional, accounts.RoleFocal:
		tv.Official = true
	}
	return tv
}

func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "training.error.notfound", "%s %v not found.", what, r.PathValue("id"))
	}
	return id, nil
}

func invalid(key, message string, ps ...citylens.Problem) error {
	return (&citylens.Error{Code: citylens.EINVALID, Key: key, Message: message}).WithProblems(ps...)
}

func problem(field, key, format string, args ...any) citylens.Problem {
	return citylens.Problem{Field: field}.Keyed(key, format, args...)
}

func cohortPath(id int64) string { return "/training/cohorts/" + strconv.FormatInt(id, 10) }

func (a *Area) indexPage(w http.ResponseWriter, r *http.Request) error {
	cs, courses, err := a.svc.Cohorts(r.Context())
	if err != nil {
		return err
	}
	byID := map[int64]*training.Course{}
	for _, c := range courses {
		byID[c.ID] = c
	}
	type row struct {
		*training.Cohort
		Course string
	}
	var rows []row
	for _, c := range cs {
		name := ""
		if co := byID[c.CourseID]; co != nil {
			name = co.Title
		}
		rows = append(rows, row{Cohort: c, Course: name})
	}
	return a.s.Render(w, r, "training_index.html", map[string]any{"Cohorts": rows, "Courses": courses, "Admin": viewer(r).Admin})
}

type sessionView struct {
	training.Session
	When    string
	Present map[int64]bool
}

func when(start, end time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return start.In(loc).Format("2006-01-02 15:04") + " – " + end.In(loc).Format("15:04") + " (" + tz + ")"
}

func (a *Area) cohortPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	v := viewer(r)
	cv, err := a.svc.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	var sessions []sessionView
	for _, s := range cv.Sessions {
		sv := sessionView{Session: s, When: when(s.Start, s.End, s.TimeZone), Present: map[int64]bool{}}
		for _, at := range cv.Attendance {
			if at.SessionID == s.ID {
				sv.Present[at.UserID] = true
			}
		}
		sessions = append(sessions, sv)
	}
	mine := map[int64]*training.Submission{}
	participant := cv.Mine != nil && cv.Mine.State == training.StateApproved
	if participant {
		subs, err := a.svc.Submissions(r.Context(), v, id)
		if err != nil {
			return err
		}
		for i := range subs {
			mine[subs[i].AssignmentID] = &subs[i]
		}
	}
	d := map[string]any{"V": cv, "Sessions": sessions, "Official": v.Official, "Scale": []int{1, 2, 3, 4, 5},
		"Participant": participant, "Mine": mine}
	if v.Admin && cv.Course != nil {
		d["Materials"] = materialRows(cv.Course.Materials)
	}
	return a.s.Render(w, r, "training_cohort.html", d)
}

func (a *Area) verifyPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	number, hash := q.Get("number"), q.Get("hash")
	d := map[string]any{"Number": number, "Hash": hash}
	if number == "" && hash == "" {
		return a.s.Render(w, r, "training_verify.html", d)
	}
	got, err := a.svc.Verify(r.Context(), number, hash)
	if err != nil {
		if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		d["Refused"] = true
		return a.s.RenderStatus(w, r, http.StatusNotFound, "training_verify.html", d)
	}
	d["Cert"], d["Date"] = got, got.Issued.UTC().Format("2006-01-02")
	return a.s.Render(w, r, "training_verify.html", d)
}

func (a *Area) certificate(w http.ResponseWriter, r *http.Request) error {
	number := strings.TrimSuffix(r.PathValue("number"), ".pdf")
	c, err := a.svc.Certificate(r.Context(), viewer(r), number)
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	date := c.Issued.UTC().Format("2006-01-02")
	if lang == "ko" {
		date = c.Issued.UTC().Format("2006년 1월 2일")
	}
	var b bytes.Buffer
	err = training.WriteCertificate(&b, c, training.CertificateText{Lang: lang, Heading: a.s.T(r, "training.cert.heading"),
		Awarded: a.s.T(r, "training.cert.awarded"), ForCourse: a.s.T(r, "training.cert.for"), Date: date,
		Number: a.s.T(r, "training.cert.number", c.Number), Hash: a.s.T(r, "training.cert.hash", c.Hash),
		Verify: a.s.T(r, "training.cert.verify", a.baseURL+"/training/verify")})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+c.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(b.Bytes())
	return err
}

func (a *Area) request(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	if _, err := a.svc.Request(r.Context(), viewer(r), id); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.requested")
	return nil
}

func scale(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0 // named by Validate
	}
	return n
}

func (a *Area) feedback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	f := &training.Feedback{CohortID: id, Rating: scale(r.PostFormValue("rating")),
		Relevance: scale(r.PostFormValue("relevance")), Comment: r.PostFormValue("comment")}
	if err := a.svc.SubmitFeedback(r.Context(), viewer(r), f); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.feedback")
	return nil
}

// uploaded is the streamed body's file part named "file" with its name
// (nil when the form has none or it is empty of a name).
func uploaded(r *http.Request) (io.Reader, string, error) {
	up := web.UploadOf(r)
	if up == nil {
		return nil, "", nil
	}
	part, err := up.NextFile()
	if err != nil || part == nil || part.FormName() != "file" {
		return nil, "", err
	}
	return part, part.FileName(), nil
}

// submit records an answer: a text, a file or both. The body is read as a
// stream (the route StreamsUpload): the service copies the file into the
// database chunk by chunk as it arrives.
func (a *Area) submit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Assignment")
	if err != nil {
		return err
	}
	text, cohortField := r.PostFormValue("text"), r.PostFormValue("cohort")
	file, name, err := uploaded(r)
	if err != nil {
		return err
	}
	if err := a.svc.Submit(r.Context(), viewer(r), id, text, name, file); err != nil {
		return err
	}
	cohort, _ := strconv.ParseInt(cohortField, 10, 64)
	target := "/training"
	if cohort > 0 {
		target = cohortPath(cohort)
	}
	a.s.RedirectFlash(w, r, target, "flash.training.submitted")
	return nil
}

// addMaterial adds a file to a course's materials (streamed as submit).
func (a *Area) addMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Course")
	if err != nil {
		return err
	}
	title, cohortField := r.PostFormValue("title"), r.PostFormValue("cohort")
	file, name, err := uploaded(r)
	if err != nil {
		return err
	}
	if _, err := a.svc.AddMaterialFile(r.Context(), viewer(r), id, title, name, file); err != nil {
		return err
	}
	target := "/training"
	if cohort, _ := strconv.ParseInt(cohortField, 10, 64); cohort > 0 {
		target = cohortPath(cohort)
	}
	a.s.RedirectFlash(w, r, target, "flash.training.material")
	return nil
}

// materialRow is a material on the secretariat's form that changes it:
// its position (1 for the first) and what names it (its file's identifier
// or its link), sent back so a change made since the page was loaded is
// refused rather than applied to another material.
type materialRow struct {
	training.Material
	Position int
	Current  string
}

func materialRows(ms []training.Material) []materialRow {
	rows := make([]materialRow, len(ms))
	for i, m := range ms {
		cur := m.FileID
		if cur == "" {
			cur = m.URL
		}
		rows[i] = materialRow{Material: m, Position: i + 1, Current: cur}
	}
	return rows
}

// materialPosition is the {n} of a material's route: its position, 1 for
// the first.
func materialPosition(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > training.MaxMaterials {
		return 0, citylens.Ef(citylens.ENOTFOUND, "training.error.notfound", "%s %v not found.", "Material", r.PathValue("n"))
	}
	return n, nil
}

// backTo is the cohort page a course's form came from, else the programme.
func backTo(r *http.Request) string {
	if cohort, _ := strconv.ParseInt(r.PostFormValue("cohort"), 10, 64); cohort > 0 {
		return cohortPath(cohort)
	}
	return "/training"
}

// updateMaterial changes a material's title and, with a file chosen,
// replaces its file or link (streamed as addMaterial). A title field
// left out keeps the title; one sent blank is refused.
func (a *Area) updateMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Course")
	if err != nil {
		return err
	}
	n, err := materialPosition(r)
	if err != nil {
		return err
	}
	var title *string
	if vs, ok := r.PostForm["title"]; ok && len(vs) > 0 {
		title = &vs[0]
	}
	current, target := r.PostFormValue("current"), backTo(r)
	file, name, err := uploaded(r)
	if err != nil {
		return err
	}
	if _, err := a.svc.UpdateMaterial(r.Context(), viewer(r), id, n, current, title, name, file); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, target, "flash.training.material_updated")
	return nil
}

// removeMaterial removes a material; its file, if any, answers 404 at once.
func (a *Area) removeMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Course")
	if err != nil {
		return err
	}
	n, err := materialPosition(r)
	if err != nil {
		return err
	}
	if err := a.svc.RemoveMaterial(r.Context(), viewer(r), id, n, r.PostFormValue("current")); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, backTo(r), "flash.training.material_removed")
	return nil
}

// download serves a training file to whoever may read it (404 to anyone
// else, as for a file that does not exist).
func (a *Area) download(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	f, err := a.svc.File(r.Context(), v, r.PathValue("file"))
	if err != nil {
		return err
	}
	web.AttachmentHeaders(w, f.Name, f.Type, f.Size)
	return a.svc.WriteFile(r.Context(), v, f.ID, w)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (a *Area) createCourse(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	c := &training.Course{Title: strings.TrimSpace(f("title")), Description: f("description"), Modules: lines(f("modules"))}
	for _, l := range lines(f("materials")) {
		title, url, ok := strings.Cut(l, "|")
		if !ok {
			title, url = l, ""
		}
		c.Materials = append(c.Materials, training.Material{Title: strings.TrimSpace(title), URL: strings.TrimSpace(url)})
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f("min_attendance"))); err == nil {
		c.MinAttendance = n
	}
	if err := a.svc.CreateCourse(r.Context(), viewer(r), c); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/training", "flash.training.course")
	return nil
}

func (a *Area) createCohort(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	course, _ := strconv.ParseInt(f("course"), 10, 64)
	c := &training.Cohort{CourseID: course, Edition: strings.TrimSpace(f("edition")), Title: strings.TrimSpace(f("title"))}
	if err := a.svc.CreateCohort(r.Context(), viewer(r), c); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(c.ID), "flash.training.cohort")
	return nil
}

// parseLocal reads a form's local date and time in time zone tz.
func parseLocal(v, tz, field string, ps *[]citylens.Problem) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{} // named "required" by Validate
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil {
		*ps = append(*ps, problem(field, "training.error.datetime", "not a date and time (YYYY-MM-DDTHH:MM)"))
		return time.Time{}
	}
	return t.UTC()
}

func (a *Area) addSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	var ps []citylens.Problem
	s := &training.Session{CohortID: id, Title: strings.TrimSpace(f("title")), Mode: f("mode"), TimeZone: strings.TrimSpace(f("time_zone")),
		Place: strings.TrimSpace(f("place")), Link: strings.TrimSpace(f("link"))}
	s.Start = parseLocal(f("start"), s.TimeZone, "start", &ps)
	s.End = parseLocal(f("end"), s.TimeZone, "end", &ps)
	if len(ps) > 0 {
		if verr := citylens.AsError(s.Validate()); verr != nil {
			named := map[string]bool{}
			for _, p := range ps {
				named[p.Field] = true
			}
			for _, p := range verr.Problems {
				if !named[p.Field] { // a date that did not parse is not also "required"
					ps = append(ps, p)
				}
			}
		}
		return invalid("training.error.session", "the session was not saved: correct the fields named below", ps...)
	}
	if err := a.svc.AddSession(r.Context(), viewer(r), s); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.session")
	return nil
}

func (a *Area) addAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	var ps []citylens.Problem
	as := &training.Assignment{CohortID: id, Title: strings.TrimSpace(r.PostFormValue("title"))}
	as.Due = parseLocal(r.PostFormValue("due"), "UTC", "due", &ps)
	if len(ps) > 0 {
		return invalid("training.error.assignment", "the assignment was not saved: correct the fields named below", ps...)
	}
	if err := a.svc.AddAssignment(r.Context(), viewer(r), as); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.assignment")
	return nil
}

func (a *Area) enrolWinners(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	n, err := a.svc.EnrolWinners(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.enrolled", n)
	return nil
}

func (a *Area) issue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Cohort")
	if err != nil {
		return err
	}
	n, err := a.svc.IssueCertificates(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(id), "flash.training.issued", n)
	return nil
}

func (a *Area) decide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Enrolment")
	if err != nil {
		return err
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "decline":
	default:
		return invalid("training.error.decision", "the decision was not saved: correct the fields named below",
			problem("decision", "training.error.choice", "approve or decline"))
	}
	e, err := a.svc.Decide(r.Context(), viewer(r), id, approve)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, cohortPath(e.CohortID), "flash.training.decided")
	return nil
}

func (a *Area) attendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "Session")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var present []int64
	for _, p := range r.PostForm["present"] {
		u, err := strconv.ParseInt(p, 10, 64)
		if err != nil || u <= 0 {
			return invalid("training.error.attendance", "the attendance was not saved: correct the fields named below",
				problem("present", "training.error.person", "%q is not a person", p))
		}
		present = append(present, u)
	}
	if len(present) > 10_000 {
		return invalid("training.error.attendance", "the attendance was not saved: correct the fields named below",
			problem("present", "training.error.toomany", "more than %d", 10_000))
	}
	if err := a.svc.MarkAttendance(r.Context(), viewer(r), id, present); err != nil {
		return err
	}
	cohort, _ := strconv.ParseInt(r.PostFormValue("cohort"), 10, 64)
	target := "/training"
	if cohort > 0 {
		target = cohortPath(cohort)
	}
	a.s.RedirectFlash(w, r, target, "flash.training.attendance")
	return nil
}
