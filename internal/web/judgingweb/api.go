package judgingweb

import (
	"context"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/web"
)

// The judging API: a judge's assignments and scores, and the committee's
// progress, assignment and results. Every answer goes through the same
// service calls as the pages, so conflicts (404, as for an application
// that does not exist) and the embargo hold exactly as there.

var (
	_ web.AreaAPI        = (*Area)(nil)
	_ web.AreaSchemaDocs = (*Area)(nil)
)

// apiPages bound the judging API's lists.
var apiPages = web.PageLimits{Default: 50, Max: 200}

func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/judging/editions/{edition}/assignments", AccessJudges, a.apiAssignments)
	s.API("GET /api/v1/judging/rounds/{round}/applications/{id}/scores", AccessJudges, a.apiSheet)
	s.API("PUT /api/v1/judging/rounds/{round}/applications/{id}/scores", AccessJudges, a.apiSaveSheet)
	s.API("GET /api/v1/judging/rounds/{round}/progress", AccessJudges, a.apiProgress)
	s.API("GET /api/v1/judging/rounds/{round}/assignment", AccessJudges, a.apiAssignment)
	s.API("GET /api/v1/judging/rounds/{round}/results", AccessJudges, a.apiResults)
	a.registerCeremonyAPI(s)
}

// judgingAssignmentsBody is a page of the caller's assignments.
type judgingAssignmentsBody struct {
	Assignments []judgingAssignmentItem `json:"assignments"`
	web.Paginated
}

// judgingAssignmentItem is one application the caller scores in a round.
type judgingAssignmentItem struct {
	Round       int64     `json:"round"`
	RoundKind   string    `json:"round_kind"`
	Closes      time.Time `json:"closes"`
	Application int64     `json:"application"`
	Ref         string    `json:"ref"`
	Title       string    `json:"title"`
	Track       string    `json:"track"`
	State       string    `json:"state"`
}

// judgingSheetRequest is a judge's scores for an application.
type judgingSheetRequest struct {
	Scores   map[string]int             `json:"scores"`
	Comments map[string]judging.Comment `json:"comments"`
	Submit   bool                       `json:"submit"`
}

// judgingSheetBody is the caller's sheet for an application of a round.
type judgingSheetBody struct {
	Round       int64                      `json:"round"`
	Application int64                      `json:"application"`
	Scores      map[string]int             `json:"scores"`
	Comments    map[string]judging.Comment `json:"comments"`
	State       string                     `json:"state"`
	UpdatedAt   *time.Time                 `json:"updated_at"`
}

// judgingProgressBody is a page of the judges' progress in a round.
type judgingProgressBody struct {
	Judges []judging.Progress `json:"judges"`
	web.Paginated
}

// judgingAssignmentBody is a page of a round's assignment.
type judgingAssignmentBody struct {
	Pairs []judging.Assigned `json:"pairs"`
	web.Paginated
}

// judgingResultsBody is a round's results, as the committee reads them.
type judgingResultsBody struct {
	Applications []judgingResultItem      `json:"applications"`
	Judges       []judgingSeverityItem    `json:"judges"`
	Parts        int                      `json:"parts"`
	Reliability  []judgingReliabilityItem `json:"reliability"`
}

// judgingResultItem is one application's figures (null: no figure).
type judgingResultItem struct {
	Rank        int      `json:"rank"`
	Application int64    `json:"application"`
	Judges      int      `json:"judges"`
	Raw         *float64 `json:"raw"`
	Z           *float64 `json:"z"`
	Adjusted    *float64 `json:"adjusted"`
	Median      *float64 `json:"median"`
	Value       *float64 `json:"value"`
	Part        int      `json:"part"`
}

// judgingSeverityItem is a judge's severity in the judge-effect model.
type judgingSeverityItem struct {
	Judge    int64    `json:"judge"`
	Severity *float64 `json:"severity"`
}

// judgingReliabilityItem is the agreement on one criterion.
type judgingReliabilityItem struct {
	Criterion string   `json:"criterion"`
	Alpha     *float64 `json:"alpha"`
	ICC1      *float64 `json:"icc1"`
	ICC1k     *float64 `json:"icc1k"`
	ICC2      *float64 `json:"icc2"`
	ICC2k     *float64 `json:"icc2k"`
	ICC3      *float64 `json:"icc3"`
	ICC3k     *float64 `json:"icc3k"`
	Low       bool     `json:"low"`
}

func num(x float64, ok bool) *float64 {
	if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func sheetState(sc *judging.Scored) string {
	switch {
	case sc == nil:
		return "todo"
	case sc.Submitted:
		return "submitted"
	}
	return "draft"
}

func (a *Area) apiAssignments(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	items, err := a.svc.Work(r.Context(), viewer(r), r.PathValue("edition"))
	if err != nil {
		return err
	}
	out := make([]judgingAssignmentItem, 0, len(items))
	for _, it := range items {
		out = append(out, judgingAssignmentItem{Round: it.Round.ID, RoundKind: it.Round.Kind, Closes: it.Round.Closes.UTC(),
			Application: it.App.ID, Ref: it.App.Ref(), Title: it.App.Title, Track: it.App.Track, State: sheetState(it.Scored)})
	}
	// A fixed order (round, then application), whatever the scores.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Round != out[j].Round {
			return out[i].Round < out[j].Round
		}
		return out[i].Application < out[j].Application
	})
	page, next := web.PageOf(w, r, out, offset, limit)
	web.WriteJSON(w, http.StatusOK, judgingAssignmentsBody{Assignments: page, Paginated: web.Paginated{NextCursor: next}})
	return nil
}

func sheetBody(it judging.WorkItem) judgingSheetBody {
	b := judgingSheetBody{Round: it.Round.ID, Application: it.App.ID, Scores: map[string]int{}, Comments: map[string]judging.Comment{},
		State: sheetState(it.Scored)}
	if it.Scored != nil {
		if it.Scored.Sheet.Scores != nil {
			b.Scores = it.Scored.Sheet.Scores
		}
		if it.Scored.Sheet.Comments != nil {
			b.Comments = it.Scored.Sheet.Comments
		}
		at := it.Scored.UpdatedAt.UTC()
		b.UpdatedAt = &at
	}
	return b
}

func (a *Area) apiSheet(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := a.svc.Sheet(r.Context(), viewer(r), round, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, sheetBody(it))
	return nil
}

func (a *Area) apiSaveSheet(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	// The conflict check comes before the body is read: a conflicted
	// judge learns nothing from the answer to a bad body either.
	if _, err := a.svc.Sheet(r.Context(), v, round, id); err != nil {
		return err
	}
	var req judgingSheetRequest
	if err := web.DecodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Scores) > 50 || len(req.Comments) > 50 {
		return citylens.Ef(citylens.EINVALID, "judging.err.sheetsize", "A sheet has at most %d criteria.", 50)
	}
	sheet := judging.Sheet{Scores: req.Scores, Comments: req.Comments}
	if sheet.Scores == nil {
		sheet.Scores = map[string]int{}
	}
	if sheet.Comments == nil {
		sheet.Comments = map[string]judging.Comment{}
	}
	if err := a.svc.SaveScore(r.Context(), v, round, id, sheet, req.Submit); err != nil {
		return err
	}
	it, err := a.svc.Sheet(r.Context(), v, round, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, sheetBody(it))
	return nil
}

func (a *Area) apiProgress(w http.ResponseWriter, r *http.Request) error {
	return roundList(w, r, a.svc.RoundProgress, func(page []judging.Progress, p web.Paginated) any {
		return judgingProgressBody{Judges: page, Paginated: p}
	})
}

func (a *Area) apiAssignment(w http.ResponseWriter, r *http.Request) error {
	return roundList(w, r, a.svc.RoundAssignment, func(page []judging.Assigned, p web.Paginated) any {
		return judgingAssignmentBody{Pairs: page, Paginated: p}
	})
}

// roundList answers a list of a round a page at a time: the round from
// the path, limit and cursor from the query (refused before any reading),
// the rows from load as the viewer may see them, wrapped by body.
func roundList[T any](w http.ResponseWriter, r *http.Request, load func(context.Context, judging.Viewer, int64) ([]T, error),
	body func(page []T, p web.Paginated) any) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	offset, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	rows, err := load(r.Context(), viewer(r), round)
	if err != nil {
		return err
	}
	page, next := web.PageOf(w, r, rows, offset, limit)
	web.WriteJSON(w, http.StatusOK, body(page, web.Paginated{NextCursor: next}))
	return nil
}

func (a *Area) apiResults(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	rep, err := a.svc.RoundReport(r.Context(), viewer(r), round)
	if err != nil {
		return err
	}
	out := judgingResultsBody{Applications: []judgingResultItem{}, Judges: []judgingSeverityItem{}, Parts: rep.Parts,
		Reliability: []judgingReliabilityItem{}}
	for i, x := range rep.Apps {
		out.Applications = append(out.Applications, judgingResultItem{Rank: i + 1, Application: x.App, Judges: x.Judges,
			Raw: num(x.Raw, true), Z: num(x.ZMean, true), Adjusted: num(x.Adjusted, true), Median: num(x.Median, true),
			Value: num(x.Value, true), Part: x.Part})
	}
	for j, s := range rep.Severity {
		out.Judges = append(out.Judges, judgingSeverityItem{Judge: j, Severity: num(s, true)})
	}
	sort.Slice(out.Judges, func(i, j int) bool { return out.Judges[i].Judge < out.Judges[j].Judge })
	for _, rl := range rep.Reliability {
		it := judgingReliabilityItem{Criterion: rl.Criterion, Alpha: num(rl.Alpha, rl.AlphaOK), ICC1: num(rl.ICC1, rl.OneWayOK),
			ICC1k: num(rl.ICC1k, rl.OneWayOK), Low: rl.Low}
		if c := rl.Crossed; c != nil {
			it.ICC2, it.ICC2k, it.ICC3, it.ICC3k = num(c.ICC2, true), num(c.ICC2k, true), num(c.ICC3, true), num(c.ICC3k, true)
		}
		out.Reliability = append(out.Reliability, it)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// APIOperations describe the judging API's routes.
func (a *Area) APIOperations() []web.APIOperation {
	round := map[string]string{"round": "the round's number"}
	roundApp := map[string]string{"round": "the round's number", "id": "the application's number"}
	return append([]web.APIOperation{
		{Method: "GET", Path: "/api/v1/judging/editions/{edition}/assignments", ID: "listJudgingAssignments", Tag: "judging",
			PathParams: map[string]string{"edition": "the prize edition's code, e.g. 2026"}, Query: web.PageParams(apiPages),
			Summary:     "The caller's assignments in the edition's rounds: applications to score, by round and application",
			Description: "Applications the judge is in conflict with are never listed, whatever the assignment. A caller who is not on the edition's committee gets 404.",
			Status:      200, Response: judgingAssignmentsBody{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "GET", Path: "/api/v1/judging/rounds/{round}/applications/{id}/scores", ID: "getJudgingSheet", Tag: "judging",
			PathParams: roundApp, Summary: "The caller's sheet (scores and comments) for an application assigned to them",
			Description: "404 for an application not assigned to the caller or one they are in conflict with — the same answer as for an application that does not exist.",
			Status:      200, Response: judgingSheetBody{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "PUT", Path: "/api/v1/judging/rounds/{round}/applications/{id}/scores", ID: "putJudgingSheet", Tag: "judging",
			PathParams: roundApp, Request: judgingSheetRequest{}, Summary: "Saves the caller's sheet as a draft, or submits it",
			Description: "A score outside the rubric's scale, or (when submitting) a required criterion left out, is refused with a problem naming the criterion. A submitted sheet cannot go back to a draft; after the round closes nothing is taken (409). Conflicted or unassigned: 404.",
			Status:      200, Response: judgingSheetBody{}, Auth: true, Errors: []int{401, 403, 404, 409}},
		{Method: "GET", Path: "/api/v1/judging/rounds/{round}/progress", ID: "listJudgingProgress", Tag: "judging",
			PathParams: round, Query: web.PageParams(apiPages), Summary: "Each judge's progress in the round (the committee only)",
			Status: 200, Response: judgingProgressBody{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "GET", Path: "/api/v1/judging/rounds/{round}/assignment", ID: "listJudgingAssignment", Tag: "judging",
			PathParams: round, Query: web.PageParams(apiPages), Summary: "The round's judge–application pairs with the chair's locks (the committee only)",
			Description: "A chair in conflict with an application does not see its pairs.",
			Status:      200, Response: judgingAssignmentBody{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "GET", Path: "/api/v1/judging/rounds/{round}/results", ID: "getJudgingResults", Tag: "judging",
			PathParams: round, Summary: "The round's results side by side — raw weighted means, per-judge z-scores, the judge-effect model — and their reliability (the committee only)",
			Description: "Applications come ranked by the logged tie-break sequence. A chair in conflict with an application does not see it. Decisions are not part of this answer.",
			Status:      200, Response: judgingResultsBody{}, Auth: true, Errors: []int{401, 403, 404}},
	}, ceremonyOperations()...)
}

// APISchemaDocs document the judging API's bodies.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	state := web.Enum("todo", "draft", "submitted")
	kinds := web.Enum(judging.RoundScreening, judging.RoundFinalist)
	nullNum := " (null when there is no figure)"
	docs := web.SchemaDocs{
		"judgingweb.judgingAssignmentsBody":             {Description: "A page of the caller's assignments."},
		"judgingweb.judgingAssignmentsBody.assignments": {Description: "the applications to score, by round and application number"},
		"judgingweb.judgingAssignmentItem":              {Description: "One application the caller scores in a round."},
		"judgingweb.judgingAssignmentItem.round":        {Description: "the round's number"},
		"judgingweb.judgingAssignmentItem.round_kind":   {Description: "the round's kind", Enum: kinds},
		"judgingweb.judgingAssignmentItem.closes":       {Description: "when the round stops taking scores (UTC)"},
		"judgingweb.judgingAssignmentItem.application":  {Description: "the application's number"},
		"judgingweb.judgingAssignmentItem.ref":          {Description: "the application's reference, e.g. 2026-0012"},
		"judgingweb.judgingAssignmentItem.title":        {Description: "the project's title (English)"},
		"judgingweb.judgingAssignmentItem.track":        {Description: "the application's track code"},
		"judgingweb.judgingAssignmentItem.state":        {Description: "the caller's sheet: not started, a draft, or submitted", Enum: state},
		"judgingweb.judgingSheetRequest":                {Description: "A judge's scores and comments for one application."},
		"judgingweb.judgingSheetRequest.scores":         {Description: "a score per criterion code, within the rubric's scale"},
		"judgingweb.judgingSheetRequest.comments":       {Description: "a comment per criterion code, with who may read it"},
		"judgingweb.judgingSheetRequest.submit":         {Description: "true submits (every required criterion scored); false saves a draft"},
		"judgingweb.judgingSheetBody":                   {Description: "The caller's sheet for one application of a round."},
		"judgingweb.judgingSheetBody.round":             {Description: "the round's number"},
		"judgingweb.judgingSheetBody.application":       {Description: "the application's number"},
		"judgingweb.judgingSheetBody.scores":            {Description: "the scores saved, per criterion code"},
		"judgingweb.judgingSheetBody.comments":          {Description: "the comments saved, per criterion code"},
		"judgingweb.judgingSheetBody.state":             {Description: "not started, a draft, or submitted", Enum: state},
		"judgingweb.judgingSheetBody.updated_at":        {Description: "when the sheet was last saved (null before the first save)"},
		"judgingweb.judgingProgressBody":                {Description: "A page of the judges' progress in a round."},
		"judgingweb.judgingProgressBody.judges":         {Description: "each judge of the edition, by judge number"},
		"judgingweb.judgingAssignmentBody":              {Description: "A page of a round's assignment."},
		"judgingweb.judgingAssignmentBody.pairs":        {Description: "the judge–application pairs, assigned or locked"},
		"judgingweb.judgingResultsBody":                 {Description: "A round's results from the submitted sheets."},
		"judgingweb.judgingResultsBody.applications":    {Description: "the applications, ranked"},
		"judgingweb.judgingResultsBody.judges":          {Description: "each judge's severity in the judge-effect model, by judge number"},
		"judgingweb.judgingResultsBody.parts":           {Description: "how many connected parts the judge–application graph has (adjusted scores compare only within a part)", Minimum: web.Min(0)},
		"judgingweb.judgingResultsBody.reliability":     {Description: "the agreement per criterion (the empty criterion is the weighted total)"},
		"judgingweb.judgingResultItem":                  {Description: "One application's figures, side by side."},
		"judgingweb.judgingResultItem.rank":             {Description: "the application's rank, from 1", Minimum: web.Min(1)},
		"judgingweb.judgingResultItem.application":      {Description: "the application's number"},
		"judgingweb.judgingResultItem.judges":           {Description: "how many judges submitted a sheet", Minimum: web.Min(0)},
		"judgingweb.judgingResultItem.raw":              {Description: "the mean of the judges' weighted scores" + nullNum},
		"judgingweb.judgingResultItem.z":                {Description: "the mean of the per-judge z-scores rescaled to the scale (raw for a judge with fewer than 2 scores or no spread)" + nullNum},
		"judgingweb.judgingResultItem.adjusted":         {Description: "the application's quality in the additive judge-effect model" + nullNum},
		"judgingweb.judgingResultItem.median":           {Description: "the median weighted score" + nullNum},
		"judgingweb.judgingResultItem.value":            {Description: "the mean score on the value-generation criterion" + nullNum},
		"judgingweb.judgingResultItem.part":             {Description: "the connected part of the judge–application graph the application is in"},
		"judgingweb.judgingSeverityItem":                {Description: "A judge's severity."},
		"judgingweb.judgingSeverityItem.judge":          {Description: "the judge's number"},
		"judgingweb.judgingSeverityItem.severity":       {Description: "how much the judge scores above (positive) or below the applications' quality, on the scale" + nullNum},
		"judgingweb.judgingReliabilityItem":             {Description: "The agreement of a round's judges on one criterion; figures below 0.667 are flagged."},
		"judgingweb.judgingReliabilityItem.criterion":   {Description: "the criterion's code; empty for the weighted total"},
		"judgingweb.judgingReliabilityItem.alpha":       {Description: "Krippendorff's alpha (interval metric, with missing scores)" + nullNum},
		"judgingweb.judgingReliabilityItem.icc1":        {Description: "ICC(1,1), one-way, single rating" + nullNum},
		"judgingweb.judgingReliabilityItem.icc1k":       {Description: "ICC(1,k), one-way, mean of k ratings" + nullNum},
		"judgingweb.judgingReliabilityItem.icc2":        {Description: "ICC(2,1), two-way random, single rating; only when every judge scored every application" + nullNum},
		"judgingweb.judgingReliabilityItem.icc2k":       {Description: "ICC(2,k), two-way random, mean of k ratings; fully crossed designs only" + nullNum},
		"judgingweb.judgingReliabilityItem.icc3":        {Description: "ICC(3,1), two-way mixed, single rating; fully crossed designs only" + nullNum},
		"judgingweb.judgingReliabilityItem.icc3k":       {Description: "ICC(3,k), two-way mixed, mean of k ratings; fully crossed designs only" + nullNum},
		"judgingweb.judgingReliabilityItem.low":         {Description: "alpha or ICC(1,k) is below 0.667"},
		"judging.Comment":                               {Description: "A judge's comment on one criterion."},
		"judging.Comment.text":                          {Description: "the comment"},
		"judging.Comment.visibility":                    {Description: "who may read it: judges only, the committee, or the applicant after the decision", Enum: web.Enum(judging.VisibleJudges, judging.VisibleCommittee, judging.VisibleApplicant)},
		"judging.Progress":                              {Description: "A judge's work in a round."},
		"judging.Progress.judge":                        {Description: "the judge's number"},
		"judging.Progress.name":                         {Description: "the judge's name"},
		"judging.Progress.assigned":                     {Description: "applications assigned", Minimum: web.Min(0)},
		"judging.Progress.drafts":                       {Description: "sheets saved as drafts", Minimum: web.Min(0)},
		"judging.Progress.submitted":                    {Description: "sheets submitted", Minimum: web.Min(0)},
		"judging.Assigned":                              {Description: "A judge–application pair of a round."},
		"judging.Assigned.round":                        {Description: "the round's number"},
		"judging.Assigned.judge":                        {Description: "the judge's number"},
		"judging.Assigned.app":                          {Description: "the application's number"},
		"judging.Assigned.assigned":                     {Description: "the judge scores the application"},
		"judging.Assigned.pinned":                       {Description: "the chair pinned the pair (kept when the assignment is re-run)"},
		"judging.Assigned.forbidden":                    {Description: "the chair forbade the pair"},
	}
	for k, v := range ceremonySchemaDocs() {
		docs[k] = v
	}
	return docs
}
