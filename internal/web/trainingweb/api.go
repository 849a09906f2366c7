package trainingweb

import (
	"net/http"
	"time"

	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web"
)

// The training API: the cohorts the caller is enrolled in, with their
// sessions, the caller's attendance, submissions and completion, through
// the same service call as the home's training panel.

var (
	_ web.AreaAPI        = (*Area)(nil)
	_ web.AreaSchemaDocs = (*Area)(nil)
)

// apiPages bound the training API's lists.
var apiPages = web.PageLimits{Default: 20, Max: 100}

func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/me/training", web.AccessSignedIn, a.apiMine)
}

// trainingCohortsBody is a page of the caller's cohorts.
type trainingCohortsBody struct {
	Cohorts []trainingCohortItem `json:"cohorts"`
	web.Paginated
}

// trainingCohortItem is one cohort the caller is enrolled in.
type trainingCohortItem struct {
	Cohort        int64                 `json:"cohort"`
	Title         string                `json:"title"`
	Edition       string                `json:"edition"`
	Course        int64                 `json:"course"`
	CourseTitle   string                `json:"course_title"`
	MinAttendance int                   `json:"min_attendance"`
	Enrolment     string                `json:"enrolment"`
	Source        string                `json:"source"`
	Sessions      []trainingSessionItem `json:"sessions"`
	Attended      *int                  `json:"attended"`
	Percent       *int                  `json:"attended_percent"`
	Assignments   *int                  `json:"assignments"`
	Submitted     *int                  `json:"submitted"`
	Complete      *bool                 `json:"complete"`
	Certificate   *string               `json:"certificate"`
	NextSession   *int64                `json:"next_session"`
}

// trainingSessionItem is one session of a cohort and whether the caller
// attended it.
type trainingSessionItem struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Mode     string    `json:"mode"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	TimeZone string    `json:"time_zone"`
	Place    string    `json:"place"`
	Link     string    `json:"link"`
	Attended *bool     `json:"attended"`
}

func (a *Area) apiMine(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	v := viewer(r)
	es, err := a.svc.Mine(r.Context(), v)
	if err != nil {
		return err
	}
	page, next := web.PageOf(w, r, es, offset, limit)
	out := trainingCohortsBody{Cohorts: []trainingCohortItem{}, Paginated: web.Paginated{NextCursor: next}}
	for _, e := range page {
		it := trainingCohortItem{Cohort: e.Cohort.ID, Title: e.Cohort.Title, Edition: e.Cohort.Edition, Course: e.Course.ID,
			CourseTitle: e.Course.Title, MinAttendance: e.Course.MinAttendance, Enrolment: e.Enrolment.State, Source: e.Enrolment.Source,
			Sessions: []trainingSessionItem{}}
		var attended map[int64]bool
		if p := e.Progress; p != nil {
			if attended, err = a.svc.Attended(r.Context(), e.Cohort.ID, v.UserID); err != nil {
				return err
			}
			it.Attended, it.Percent, it.Assignments, it.Submitted, it.Complete = &p.Attended, &p.Percent, &p.Assigned, &p.Submitted, &p.Complete
			if p.Cert != nil {
				it.Certificate = &p.Cert.Number
			}
		}
		if e.Next != nil {
			it.NextSession = &e.Next.ID
		}
		for _, s := range e.Sessions {
			si := trainingSessionItem{ID: s.ID, Title: s.Title, Mode: s.Mode, Start: s.Start, End: s.End, TimeZone: s.TimeZone, Place: s.Place, Link: s.Link}
			if attended != nil {
				here := attended[s.ID]
				si.Attended = &here
			}
			it.Sessions = append(it.Sessions, si)
		}
		out.Cohorts = append(out.Cohorts, it)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// APIOperations describe the training API's routes.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/me/training", ID: "listMyTraining", Tag: "training", Query: web.PageParams(apiPages),
			Summary:     "The cohorts the caller is enrolled in, with their sessions, the caller's attendance and completion",
			Description: "Approved and pending enrolments (not declined ones), by cohort. Attendance, submissions and completion are computed from the stored facts under the course's rule, and are null while the enrolment is pending.",
			Status:      200, Response: trainingCohortsBody{}, Auth: true, Errors: []int{400, 401}},
	}
}

// APISchemaDocs document the training API's bodies.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	pending := " (null while the enrolment is pending)"
	return web.SchemaDocs{
		"trainingweb.trainingCohortsBody":                 {Description: "A page of the caller's cohorts."},
		"trainingweb.trainingCohortsBody.cohorts":         {Description: "the cohorts the caller is enrolled in, by cohort number"},
		"trainingweb.trainingCohortItem":                  {Description: "A cohort the caller is enrolled in, and the caller's standing in it."},
		"trainingweb.trainingCohortItem.cohort":           {Description: "the cohort's number"},
		"trainingweb.trainingCohortItem.title":            {Description: "the cohort's title"},
		"trainingweb.trainingCohortItem.edition":          {Description: "the prize edition the cohort belongs to, e.g. 2026"},
		"trainingweb.trainingCohortItem.course":           {Description: "the course's number"},
		"trainingweb.trainingCohortItem.course_title":     {Description: "the course's title"},
		"trainingweb.trainingCohortItem.min_attendance":   {Description: "the share of the cohort's sessions, in per cent, a participant attends to complete the course", Minimum: web.Min(1), Maximum: web.Min(100)},
		"trainingweb.trainingCohortItem.enrolment":        {Description: "the caller's enrolment", Enum: web.Enum(training.StateApproved, training.StatePending)},
		"trainingweb.trainingCohortItem.source":           {Description: "how the caller was enrolled: as a winner's team, or on request", Enum: web.Enum(training.SourceWinner, training.SourceRequest)},
		"trainingweb.trainingCohortItem.sessions":         {Description: "the cohort's sessions, by start"},
		"trainingweb.trainingCohortItem.attended":         {Description: "sessions the caller attended" + pending, Minimum: web.Min(0)},
		"trainingweb.trainingCohortItem.attended_percent": {Description: "the share of the cohort's sessions attended, in per cent, rounded down" + pending, Minimum: web.Min(0), Maximum: web.Min(100)},
		"trainingweb.trainingCohortItem.assignments":      {Description: "the cohort's assignments" + pending, Minimum: web.Min(0)},
		"trainingweb.trainingCohortItem.submitted":        {Description: "assignments the caller submitted" + pending, Minimum: web.Min(0)},
		"trainingweb.trainingCohortItem.complete":         {Description: "the caller meets the course's rule: the attendance share and every assignment submitted" + pending},
		"trainingweb.trainingCohortItem.certificate":      {Description: "the number of the caller's completion certificate (null: none issued)"},
		"trainingweb.trainingCohortItem.next_session":     {Description: "the number of the next session to start (null: none)"},
		"trainingweb.trainingSessionItem":                 {Description: "A session of a cohort."},
		"trainingweb.trainingSessionItem.id":              {Description: "the session's number"},
		"trainingweb.trainingSessionItem.title":           {Description: "the session's title"},
		"trainingweb.trainingSessionItem.mode":            {Description: "online or on site", Enum: web.Enum(training.ModeOnline, training.ModeOnSite)},
		"trainingweb.trainingSessionItem.start":           {Description: "when it starts"},
		"trainingweb.trainingSessionItem.end":             {Description: "when it ends"},
		"trainingweb.trainingSessionItem.time_zone":       {Description: "the IANA time zone the session is given in, e.g. Asia/Seoul"},
		"trainingweb.trainingSessionItem.place":           {Description: "where an on-site session is held (empty for an online one)"},
		"trainingweb.trainingSessionItem.link":            {Description: "an online session's link (empty for an on-site one)"},
		"trainingweb.trainingSessionItem.attended":        {Description: "the caller attended it" + pending},
	}
}
