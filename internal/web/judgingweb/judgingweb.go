// Package judgingweb is the prize judging's part of the web layer: the
// judges' work list and scoring page, the committee's decision view, the
// administrator's announcement and the public winners page. Handlers call
// the judging service (internal/judging), which enforces conflicts and the
// embargo; nothing here decides who may see what.
package judgingweb

import (
	"embed"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// Area is the judging web area.
type Area struct {
	svc *judging.Service
	s   *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the judging area.
func New(svc *judging.Service) *Area { return &Area{svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the judging pages (judging_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// AccessJudges: judges, partner organisations' judges and the
// administrator; the service checks the edition's committee.
var AccessJudges = web.Access{Name: "prize-judges", Roles: []accounts.Role{accounts.RoleJudge, accounts.RolePartner, accounts.RoleAdmin}}

// Register adds the judging routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /prize/editions/{edition}/winners", web.AccessPublic, a.winnersPage)
	s.Page("GET /judging", AccessJudges, a.workPage)
	s.Page("GET /judging/rounds/{round}/applications/{id}", AccessJudges, a.sheetPage)
	s.Page("POST /judging/rounds/{round}/applications/{id}", AccessJudges, a.saveSheet)
	s.Page("GET /judging/rounds/{round}/results", AccessJudges, a.resultsPage)
	s.Page("POST /judging/rounds/{round}/decisions", AccessJudges, a.decide)
	s.Page("POST /admin/judging/{edition}/announce", web.AccessAdmin, a.announce)
	s.Page("GET /prize/editions/{edition}/programme", web.AccessPublic, a.programmePage)
	s.Page("GET /prize/invitations/{id}", web.AccessSignedIn, a.invitationPage)
	s.Page("POST /prize/invitations/{id}", web.AccessSignedIn, a.respondInvitation)
	s.Page("POST /admin/judging/{edition}/invite", web.AccessAdmin, a.inviteFinalists)
	a.registerCommittee(s)
	a.registerAPI(s)
}

// Nav links the judges' work list.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	switch v.User.Role {
	case accounts.RoleJudge, accounts.RolePartner, accounts.RoleAdmin:
		return []web.NavLink{{Href: "/judging", Label: "nav.judging"}}
	}
	return nil
}

func viewer(r *http.Request) judging.Viewer {
	v := web.ViewerOf(r)
	return judging.Viewer{UserID: v.User.ID, Email: v.User.Email, Admin: v.IsAdmin()}
}

func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "judging.err.noapp", "Application %d not found.", n)
	}
	return n, nil
}

func (a *Area) winnersPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	e, err := a.svc.Prize.PrizeEdition(r.Context(), code)
	if err != nil || !e.Published {
		return citylens.Ef(citylens.ENOTFOUND, "judging.err.embargo", "The results of %s are not announced.", code)
	}
	ws, err := a.svc.Winners(r.Context(), viewer(r), code)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "judging_winners.html", map[string]any{"Edition": e, "Winners": ws})
}

func (a *Area) workPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	eds, err := a.svc.Editions(r.Context(), v)
	if err != nil {
		return err
	}
	type block struct {
		Edition   *prize.Edition
		Items     []judging.WorkItem
		Committee bool
		Rounds    []*judging.Round
	}
	var blocks []block
	for _, e := range eds {
		b := block{Edition: e, Committee: a.svc.Committee(r.Context(), e.Code, v)}
		if !v.Admin {
			if b.Items, err = a.svc.Work(r.Context(), v, e.Code); err != nil {
				return err
			}
		}
		if b.Committee {
			if b.Rounds, err = a.svc.Store.PrizeRounds(r.Context(), e.Code); err != nil {
				return err
			}
		}
		blocks = append(blocks, b)
	}
	return a.s.Render(w, r, "judging_work.html", map[string]any{"Blocks": blocks})
}

// sheetData is the scoring page.
type sheetData struct {
	Item     judging.WorkItem
	Rubric   judging.Rubric
	Values   map[string]string
	Comments map[string]judging.Comment
	Problems []string
	Saved    bool
}

func (a *Area) sheetPage(w http.ResponseWriter, r *http.Request) error {
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
	d := &sheetData{Item: it, Rubric: it.Round.Rubric, Values: map[string]string{}, Comments: map[string]judging.Comment{}, Saved: r.URL.Query().Get("saved") != ""}
	if it.Scored != nil {
		for k, v := range it.Scored.Sheet.Scores {
			d.Values[k] = strconv.Itoa(v)
		}
		d.Comments = it.Scored.Sheet.Comments
	}
	return a.s.Render(w, r, "judging_sheet.html", d)
}

func (a *Area) saveSheet(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	it, err := a.svc.Sheet(r.Context(), v, round, id)
	if err != nil {
		return err
	}
	sheet := judging.Sheet{Scores: map[string]int{}, Comments: map[string]judging.Comment{}}
	d := &sheetData{Item: it, Rubric: it.Round.Rubric, Values: map[string]string{}, Comments: sheet.Comments}
	var bad []string
	for _, c := range it.Round.Rubric.Criteria {
		raw := r.PostFormValue("score_" + c.Code)
		d.Values[c.Code] = raw
		if raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				bad = append(bad, a.s.T(r, "judging.err.range", a.critName(r, c), 0, it.Round.Rubric.Min, it.Round.Rubric.Max))
				continue
			}
			sheet.Scores[c.Code] = n
		}
		if text := r.PostFormValue("comment_" + c.Code); text != "" {
			sheet.Comments[c.Code] = judging.Comment{Text: text, Visibility: r.PostFormValue("visibility_" + c.Code)}
		}
	}
	if len(bad) == 0 {
		err = a.svc.SaveScore(r.Context(), v, round, id, sheet, r.PostFormValue("action") == "submit")
		if err == nil {
			http.Redirect(w, r, r.URL.Path+"?saved=1", http.StatusSeeOther)
			return nil
		}
		ce := citylens.AsError(err)
		if ce == nil || ce.Code != citylens.EINVALID {
			return err
		}
		names := map[string]judging.Criterion{}
		for _, c := range it.Round.Rubric.Criteria {
			names[c.Code] = c
		}
		for _, p := range ce.Problems {
			args := append([]any(nil), p.Args...)
			if c, ok := names[p.Field]; ok && len(args) > 0 {
				args[0] = a.critName(r, c) // the criterion in the reader's language
			}
			bad = append(bad, a.s.T(r, p.Key, args...))
		}
	}
	d.Problems = bad
	return a.s.RenderStatus(w, r, http.StatusUnprocessableEntity, "judging_sheet.html", d)
}

func (a *Area) critName(r *http.Request, c judging.Criterion) string {
	if web.ReaderLang(r) == i18n.Korean && c.NameKO != "" {
		return c.NameKO
	}
	return c.Name
}

func (a *Area) resultsPage(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	v := viewer(r)
	rep, err := a.svc.RoundReport(r.Context(), v, round)
	if err != nil {
		return err
	}
	rd, err := a.svc.Store.PrizeRound(r.Context(), round)
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	for _, x := range rep.Apps {
		if app, err := a.svc.Prize.PrizeApplication(r.Context(), x.App); err == nil {
			titles[x.App] = app.Title
		}
	}
	ds, err := a.svc.Decisions(r.Context(), v, rd.Edition)
	if err != nil {
		return err
	}
	_, announced, err := a.svc.Store.PrizeAnnounced(r.Context(), rd.Edition)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "judging_results.html", map[string]any{"Round": rd, "Report": rep, "Titles": titles,
		"Decisions": ds, "Announced": announced, "Admin": v.Admin})
}

func (a *Area) decide(w http.ResponseWriter, r *http.Request) error {
	round, err := pathID(r, "round")
	if err != nil {
		return err
	}
	rd, err := a.svc.Store.PrizeRound(r.Context(), round)
	if err != nil {
		return err
	}
	app, err := strconv.ParseInt(r.PostFormValue("app"), 10, 64)
	if err != nil {
		return citylens.Ef(citylens.ENOTFOUND, "judging.err.noapp", "Application %d not found.", app)
	}
	d := &judging.Decision{Edition: rd.Edition, App: app, Kind: r.PostFormValue("kind"), Grade: r.PostFormValue("grade"), Note: r.PostFormValue("note")}
	if len(d.Note) > 2000 || len(d.Grade) > 40 {
		return citylens.Ef(citylens.EINVALID, "judging.err.judgetoolong", "The judge's details are too long.")
	}
	if err := a.svc.Decide(r.Context(), viewer(r), d); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/judging/rounds/"+strconv.FormatInt(round, 10)+"/results", "judging.flash.decided")
	return nil
}

func (a *Area) announce(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("edition")
	n, err := a.svc.Announce(r.Context(), viewer(r), code)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/prize/editions/"+url.PathEscape(code)+"/winners", "judging.flash.announced", n)
	return nil
}

var _ web.AreaFuncs = (*Area)(nil)

// TemplateFuncs are the judging pages' helpers: a 1-based rank and
// figures with two or three decimals (NaN, a missing figure, shows as
// a dash, never as 0).
func (a *Area) TemplateFuncs() template.FuncMap {
	f := func(prec int) func(float64) string {
		return func(x float64) string {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return "–"
			}
			return strconv.FormatFloat(x, 'f', prec, 64)
		}
	}
	return template.FuncMap{"inc": func(i int) int { return i + 1 }, "fmt2": f(2), "fmt3": f(3)}
}
