// Package surveyweb is the people-centric survey on the web: the public
// per-city form (no JavaScript needed, keyboard and screen-reader ready,
// defended by a honeypot, a signed start time, a self-hosted proof of work,
// rate limits by a keyed hash of the address and one response per browser
// or invitation code), each city's results with their margins of error, and
// the secretariat's pages (settings, the instrument edited in the browser or
// by workbook, margins, field uploads, the computation, excluded responses
// and their overrides, the response-level download).
package surveyweb

import (
	"bytes"
	"crypto/rand"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/pow.js
var powScript []byte

// Config configures the area.
type Config struct {
	Survey   *survey.Service
	Members  members.Store
	Editions catalogue.EditionStore
	// Secret signs the form's tokens; replicas behind one load balancer
	// share it. Empty: a random key per process.
	Secret []byte
	// Throttle keeps the per-address rate limits' counters (the store).
	Throttle ThrottleStore
	// PerAddress submissions per Window from one address (keyed hash);
	// NoProof for submissions without a proof of work. Defaults 30 and 5
	// per 10 minutes.
	PerAddress, NoProof int
	Window              time.Duration
	// Difficulty of the proof of work in leading zero bits (default 14:
	// about 16,000 hashes, a fraction of a second in a browser).
	Difficulty int
	// MaxUpload bounds an upload (default survey.DefaultMaxUpload).
	MaxUpload int64
}

// Area is the survey's web area.
type Area struct {
	cfg     Config
	s       *web.Server
	sign    signer
	limit   limiter
	noProof limiter
	seen    *powSeen
}

// New is the area on cfg's services.
func New(cfg Config) *Area {
	if cfg.PerAddress == 0 {
		cfg.PerAddress = 30
	}
	if cfg.NoProof == 0 {
		cfg.NoProof = 5
	}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.Difficulty == 0 {
		cfg.Difficulty = 14
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = survey.DefaultMaxUpload
	}
	sign := newSigner(cfg.Secret)
	return &Area{cfg: cfg, sign: sign,
		limit:   limiter{store: cfg.Throttle, kind: "survey-ip", max: cfg.PerAddress, window: cfg.Window, secret: sign.key},
		noProof: limiter{store: cfg.Throttle, kind: "survey-noproof", max: cfg.NoProof, window: cfg.Window, secret: sign.key},
		seen:    &powSeen{}}
}

// Register adds the survey's routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /survey", web.AccessPublic, a.home)
	s.Page("GET /survey/pow.js", web.AccessPublic, a.script)
	s.Page("GET /survey/{edition}/{city}", web.AccessPublic, a.form)
	s.Page("POST /survey/{edition}/{city}", web.AccessPublic, a.submit)
	s.Page("GET /survey/{edition}/{city}/results", web.AccessPublic, a.cityResults)
	s.Page("GET /survey/{edition}/{city}/results.csv", web.AccessPublic, a.cityResultsCSV)
	s.Page("GET /survey/{edition}/compare", web.AccessPublic, a.compare)
	s.Page("GET /survey/{edition}/results.csv", web.AccessPublic, a.editionResultsCSV)
	s.Page("GET /survey/{edition}/results.xlsx", web.AccessPublic, a.editionResultsXLSX)
	s.API("GET /api/v1/survey/{edition}/results", web.AccessPublic, a.apiResults)
	s.API("GET /api/v1/survey/{edition}/index-values", web.AccessPublic, a.apiIndexValues)

	s.Page("GET /admin/survey", web.AccessAdmin, a.adminHome)
	s.Page("POST /admin/survey", web.AccessAdmin, a.adminConfigure)
	s.Page("GET /admin/survey/{edition}", web.AccessAdmin, a.adminSurvey)
	s.Page("GET /admin/survey/{edition}/instrument", web.AccessAdmin, a.adminInstrument)
	s.Page("POST /admin/survey/{edition}/instrument", web.AccessAdmin, a.adminInstrumentSave)
	s.Page("GET /admin/survey/{edition}/instrument.xlsx", web.AccessAdmin, a.adminInstrumentXLSX)
	s.Page("POST /admin/survey/{edition}/instrument.xlsx", web.AccessAdmin, a.adminInstrumentUpload, web.WithMaxBody(a.cfg.MaxUpload+1<<20), web.AsUpload())
	s.Page("POST /admin/survey/{edition}/margins", web.AccessAdmin, a.adminMargins, web.WithMaxBody(a.cfg.MaxUpload+1<<20), web.AsUpload())
	s.Page("POST /admin/survey/{edition}/responses", web.AccessAdmin, a.adminResponsesUpload, web.WithMaxBody(a.cfg.MaxUpload+1<<20), web.AsUpload())
	s.Page("GET /admin/survey/{edition}/responses.csv", web.AccessAdmin, a.adminResponsesCSV)
	s.Page("POST /admin/survey/{edition}/compute", web.AccessAdmin, a.adminCompute)
	s.Page("POST /admin/survey/{edition}/invites", web.AccessAdmin, a.adminInvites)
	s.Page("POST /admin/survey/responses/{id}/override", web.AccessAdmin, a.adminOverride)
	s.Page("GET /admin/survey/{edition}/topics", web.AccessAdmin, a.adminTopics)
	s.Page("POST /admin/survey/{edition}/topics", web.AccessAdmin, a.adminTopicsSave, web.WithMaxBody(256<<10))
}

// TemplateFuncs: surveyX places a 0–100 figure on a 200-unit wide chart.
func (a *Area) TemplateFuncs() template.FuncMap {
	return template.FuncMap{"surveyX": func(v float64) float64 { return math.Max(0, math.Min(200, v*2)) }}
}

// Templates are the survey's pages.
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav links to the survey for everyone, and to its administration for
// admins.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	links := []web.NavLink{{Href: "/survey", Label: "nav.survey"}}
	if v.SignedIn() && v.User.Role == accounts.RoleAdmin {
		links = append(links, web.NavLink{Href: "/admin/survey", Label: "nav.survey_admin"})
	}
	return links
}

// APIOperations describe the survey's JSON route.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{{Method: "GET", Path: "/api/v1/survey/{edition}/results", ID: "getSurveyResults", Tag: "survey",
		PathParams: map[string]string{"edition": "the edition code, e.g. 2026 (the survey's wave)"},
		Summary:    "An edition's survey figures: per city and item the weighted favourable share and 0–100 score with standard errors (null where no one answered), area and pillar scores, priorities, the design effect and effective sample size",
		Status:     200, Response: survey.Results{}, Errors: []int{404}},
		{Method: "GET", Path: "/api/v1/survey/{edition}/index-values", ID: "getSurveyIndexValues", Tag: "survey",
			PathParams: map[string]string{"edition": "the edition code, e.g. 2026 (the survey's wave)"},
			Summary:    "The people-centric pillar's values: per city and area × pillar the score pooled over the waves, its standard error, effective n and provenance (figures on too few responses left out)",
			Status:     200, Response: indexValuesResponse{}, Errors: []int{404}}}
}

func (a *Area) script(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err := w.Write(powScript)
	return err
}

// ---- public pages ----

type surveyLink struct {
	Survey survey.Survey
	Open   bool
	Cities []members.City
}

func (a *Area) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	svs, err := a.cfg.Survey.Store.Surveys(ctx)
	if err != nil {
		return err
	}
	cities, err := a.cfg.Members.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	var out []surveyLink
	for _, sv := range svs {
		out = append(out, surveyLink{Survey: sv, Open: sv.OpenAt(a.s.Now()), Cities: cities})
	}
	return a.s.Render(w, r, "survey_home.html", map[string]any{"Surveys": out})
}

// formItem is one question as the form shows it.
type formItem struct {
	Code, Text, Kind string
	Choices          []formChoice
	Required         bool
	Max              int
	Error            string
}

type formChoice struct {
	Code, Text string
	Checked    bool
}

type formSection struct {
	Title string
	Items []formItem
}

// formLang is the language the questions are asked in: ?in= when the
// instrument has it (any language added by upload), else the page's.
func formLang(r *http.Request, in *survey.Instrument) string {
	if l := r.URL.Query().Get("in"); l != "" && slices.Contains(in.Languages, l) {
		return l
	}
	if l := r.PostFormValue("in"); l != "" && slices.Contains(in.Languages, l) {
		return l
	}
	l := string(web.ReaderLang(r))
	if slices.Contains(in.Languages, l) {
		return l
	}
	return "en"
}

func (a *Area) formData(r *http.Request, sv survey.Survey, in *survey.Instrument, city members.City, values map[string][]string, problems map[string]string) map[string]any {
	lang := formLang(r, in)
	sections := []formSection{}
	sectionOf := map[string]int{}
	section := func(key, title string) *formSection {
		if i, ok := sectionOf[key]; ok {
			return &sections[i]
		}
		sections = append(sections, formSection{Title: title})
		sectionOf[key] = len(sections) - 1
		return &sections[len(sections)-1]
	}
	for _, ar := range in.Areas {
		section("area/"+ar.Code, ar.Label.In(lang))
	}
	for _, it := range in.Items {
		l, _ := in.ListOf(it.List)
		fi := formItem{Code: it.Code, Text: it.Label.In(lang), Kind: it.Kind, Required: it.Required, Max: it.Max, Error: problems[it.Code]}
		for _, c := range l.Choices {
			fi.Choices = append(fi.Choices, formChoice{Code: c.Code, Text: c.Label.In(lang), Checked: slices.Contains(values[it.Code], c.Code)})
		}
		var sec *formSection
		switch it.Kind {
		case survey.KindRating:
			sec = section("area/"+it.Area, "")
		case survey.KindAttitude, survey.KindAttention:
			sec = section("attitudes", a.s.T(r, "survey.form.attitudes"))
		case survey.KindPriorities:
			sec = section("priorities", a.s.T(r, "survey.form.priorities"))
		default:
			sec = section("about", a.s.T(r, "survey.form.about"))
		}
		sec.Items = append(sec.Items, fi)
	}
	now := a.s.Now()
	var other []string
	for _, l := range in.Languages {
		if l != lang {
			other = append(other, l)
		}
	}
	return map[string]any{"Survey": sv, "City": city, "Sections": sections, "Lang": lang, "Other": other,
		"Start": a.sign.startToken(sv.Edition, city.Code, now), "Challenge": a.sign.challenge(now, a.cfg.Difficulty).Field(),
		"Invite": r.PostFormValue("invite"), "HasProblems": len(problems) > 0}
}

func (a *Area) load(r *http.Request) (survey.Survey, *survey.Instrument, members.City, error) {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, r.PathValue("edition"))
	if err != nil {
		return sv, nil, members.City{}, err
	}
	in, err := a.cfg.Survey.Instrument(ctx, sv.Edition)
	if err != nil {
		return sv, nil, members.City{}, err
	}
	city, err := a.cfg.Members.City(ctx, r.PathValue("city"))
	return sv, in, city, err
}

func (a *Area) form(w http.ResponseWriter, r *http.Request) error {
	sv, in, city, err := a.load(r)
	if err != nil {
		return err
	}
	if !sv.OpenAt(a.s.Now()) {
		return a.s.RenderStatus(w, r, http.StatusOK, "survey_closed.html", map[string]any{"Survey": sv, "City": city})
	}
	if c, err := r.Cookie(answeredCookie(sv.Edition, city.Code)); err == nil && c.Value == a.sign.answered(sv.Edition, city.Code) {
		return a.s.Render(w, r, "survey_thanks.html", map[string]any{"Survey": sv, "City": city, "Again": true})
	}
	return a.s.Render(w, r, "survey_form.html", a.formData(r, sv, in, city, nil, nil))
}

func answeredCookie(edition, city string) string {
	return "survey_" + url.PathEscape(edition) + "_" + url.PathEscape(city)
}

func (a *Area) submit(w http.ResponseWriter, r *http.Request) error {
	sv, in, city, err := a.load(r)
	if err != nil {
		return err
	}
	now := a.s.Now()
	if err := r.ParseForm(); err != nil {
		return web.FormError(err)
	}
	// A bot fills the field people never see.
	if r.PostFormValue("website") != "" {
		return citylens.E(citylens.EINVALID, "survey.error.rejected")
	}
	ip := remoteAddr(r)
	proof := r.PostFormValue("pow_solution") != ""
	if proof && !a.sign.verifyPoW(a.seen, r.PostFormValue("pow"), r.PostFormValue("pow_solution"), now) {
		return citylens.E(citylens.EINVALID, "survey.error.proof")
	}
	lim := a.limit
	if !proof {
		lim = a.noProof
	}
	ok, wait, err := lim.allow(r.Context(), ip, now)
	if err != nil {
		return err
	}
	if !ok {
		e := citylens.E(citylens.ERATELIMITED, "survey.error.too_many")
		e.RetryAfter = wait
		return e
	}
	if c, err := r.Cookie(answeredCookie(sv.Edition, city.Code)); err == nil && c.Value == a.sign.answered(sv.Edition, city.Code) {
		return citylens.E(citylens.ECONFLICT, "survey.error.already")
	}
	var seconds float64
	if t, ok := a.sign.started(sv.Edition, city.Code, r.PostFormValue("start")); ok && !t.After(now) {
		seconds = now.Sub(t).Seconds()
	}
	values := map[string][]string{}
	for _, it := range in.Items {
		if v, ok := r.PostForm[it.Code]; ok {
			values[it.Code] = v
		}
	}
	_, err = a.cfg.Survey.Submit(r.Context(), survey.Submission{Edition: sv.Edition, City: city.Code, Lang: formLang(r, in),
		Values: values, Seconds: seconds, Invite: strings.TrimSpace(r.PostFormValue("invite"))})
	if e := citylens.AsError(err); e != nil && e.Code == citylens.EINVALID && len(e.Problems) > 0 {
		problems := map[string]string{}
		lang := web.ReaderLang(r)
		for _, p := range e.Problems {
			problems[p.Field] = a.s.ProblemReason(lang, p)
		}
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "survey_form.html", a.formData(r, sv, in, city, values, problems))
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: answeredCookie(sv.Edition, city.Code), Value: a.sign.answered(sv.Edition, city.Code),
		Path: "/survey/", Expires: sv.Closes.Add(24 * time.Hour), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return a.s.Render(w, r, "survey_thanks.html", map[string]any{"Survey": sv, "City": city})
}

func remoteAddr(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// ---- results ----

// figure is a number as a page shows it, with its interval; TooFew when
// the effective sample is under survey.MinEffectiveN.
type figure struct {
	Label     string
	Value     string
	MOE       string
	TooFew    bool
	Missing   bool
	Low, High float64 // on the 0–100 scale, for the error bar
	Mid       float64
	N         int
}

func scoreFigure(label string, m survey.Mean) figure {
	f := figure{Label: label, N: m.N}
	switch {
	case m.N == 0 || math.IsNaN(m.Mean):
		f.Missing = true
	case m.TooFew():
		f.TooFew = true
	default:
		f.Value = strconv.FormatFloat(m.Mean, 'f', 1, 64)
		if !math.IsNaN(m.SE) {
			f.MOE = strconv.FormatFloat(m.MOE(), 'f', 1, 64)
			f.Low, f.High = math.Max(0, m.Low()), math.Min(100, m.High())
		}
		f.Mid = m.Mean
	}
	return f
}

func shareFigure(label string, m survey.Mean) figure {
	f := figure{Label: label, N: m.N}
	switch {
	case m.N == 0 || math.IsNaN(m.Mean):
		f.Missing = true
	case m.TooFew():
		f.TooFew = true
	default:
		f.Value = strconv.FormatFloat(m.Mean*100, 'f', 0, 64) + "%"
		if !math.IsNaN(m.SE) {
			f.MOE = strconv.FormatFloat(m.MOE()*100, 'f', 0, 64)
			f.Low, f.High = math.Max(0, m.Low()*100), math.Min(100, m.High()*100)
		}
		f.Mid = m.Mean * 100
	}
	return f
}

type pooledRow struct {
	Figure   figure
	Waves    []string
	WaveText string
}

type itemChoice struct{ Code, Text string }

func itemChoices(in *survey.Instrument, lang string) []itemChoice {
	var out []itemChoice
	for _, it := range in.Items {
		if it.Scaled() && it.Kind != survey.KindAttention {
			out = append(out, itemChoice{it.Code, it.Label.In(lang)})
		}
	}
	return out
}

type itemRow struct {
	Text   string
	Score  figure
	Agree  figure
	Rev    bool
	Pillar string
}

type areaBlock struct {
	Title string
	Score figure
	Items []itemRow
}

func (a *Area) cityResults(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sv, in, city, err := a.load(r)
	if err != nil {
		return err
	}
	res, err := a.cfg.Survey.Store.SurveyResults(ctx, sv.Edition)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return a.s.Render(w, r, "survey_results.html", map[string]any{"Survey": sv, "City": city, "None": true})
	} else if err != nil {
		return err
	}
	cr, ok := res.City(city.Code)
	if !ok {
		return a.s.Render(w, r, "survey_results.html", map[string]any{"Survey": sv, "City": city, "None": true})
	}
	lang := string(web.ReaderLang(r))
	var areas []areaBlock
	for _, ar := range in.Areas {
		b := areaBlock{Title: ar.Label.In(lang)}
		if g, ok := cr.Group("area", ar.Code, ""); ok {
			b.Score = scoreFigure(b.Title, g.Score)
		}
		for _, it := range in.Items {
			if it.Kind != survey.KindRating || it.Area != ar.Code {
				continue
			}
			x, _ := cr.ItemOf(it.Code)
			b.Items = append(b.Items, itemRow{Text: it.Label.In(lang), Score: scoreFigure(it.Label.In(lang), x.Score),
				Agree: shareFigure("", x.Agree), Rev: it.Reverse, Pillar: it.Pillar})
		}
		areas = append(areas, b)
	}
	var attitudes []itemRow
	for _, it := range in.Items {
		if it.Kind == survey.KindAttitude {
			x, _ := cr.ItemOf(it.Code)
			attitudes = append(attitudes, itemRow{Text: it.Label.In(lang), Score: scoreFigure("", x.Score), Agree: shareFigure("", x.Agree), Rev: it.Reverse})
		}
	}
	var pillars []figure
	for _, p := range []string{survey.PillarStructures, survey.PillarTechnology} {
		if g, ok := cr.Group("pillar", "", p); ok {
			pillars = append(pillars, scoreFigure(a.s.T(r, "survey.pillar."+p), g.Score))
		}
	}
	var prios []figure
	for _, it := range in.Items {
		if it.Kind != survey.KindPriorities {
			continue
		}
		l, _ := in.ListOf(it.List)
		for _, p := range cr.Priorities {
			label := p.Choice
			for _, c := range l.Choices {
				if c.Code == p.Choice {
					label = c.Label.In(lang)
				}
			}
			prios = append(prios, shareFigure(label, p.Share))
		}
	}
	slices.SortStableFunc(prios, func(x, y figure) int {
		switch {
		case x.Mid > y.Mid:
			return -1
		case x.Mid < y.Mid:
			return 1
		}
		return 0
	})
	overall, _ := cr.Group("overall", "", "")
	pooled, waves, err := a.cfg.Survey.Pool(ctx, sv.Edition)
	if err != nil {
		return err
	}
	var poolRows []pooledRow
	if pc, ok := pooled[city.Code]; ok && len(waves) > 1 {
		for _, g := range []struct{ key, label string }{{"overall", a.s.T(r, "survey.results.overall")},
			{"pillar/" + survey.PillarStructures, a.s.T(r, "survey.pillar.structures")},
			{"pillar/" + survey.PillarTechnology, a.s.T(r, "survey.pillar.technology")}} {
			p := pc.Groups[g.key]
			row := pooledRow{Figure: scoreFigure(g.label, survey.Mean{N: 1, NEff: p.NEff, Mean: p.Mean, SE: p.SE})}
			for k, w := range p.Waves {
				row.Waves = append(row.Waves, fmt.Sprintf("%s %.0f%%", w, p.Share[k]*100))
			}
			row.WaveText = strings.Join(row.Waves, ", ")
			poolRows = append(poolRows, row)
		}
	}
	rule := make([]string, len(sv.Pooling))
	for i, p := range sv.Pooling {
		rule[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return a.s.Render(w, r, "survey_results.html", map[string]any{"Survey": sv, "City": city, "Result": cr, "Areas": areas,
		"Pooled": poolRows, "Rule": strings.Join(rule, ":"), "Items": itemChoices(in, lang),
		"Attitudes": attitudes, "Pillars": pillars, "Priorities": prios, "Overall": scoreFigure("", overall.Score),
		"NEff": strconv.FormatFloat(cr.Design.NEff, 'f', 0, 64), "DEff": strconv.FormatFloat(cr.Design.DEff, 'f', 2, 64),
		"Valid": cr.Responses - cr.Excluded, "TooFew": cr.Design.NEff < survey.MinEffectiveN, "Computed": res.ComputedAt})
}

// compareRow is one city's figure for an item, against the reference city.
type compareRow struct {
	City    members.City
	Figure  figure
	Verdict string // "higher", "lower", "same" (within the combined margin), "" (reference or no figure)
	Ref     bool
}

// compare shows one item (or an area, a pillar) across cities: a city
// differs from the reference only where the difference exceeds the
// combined margin, 1.96·√(SE₁² + SE₂²).
func (a *Area) compare(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	in, err := a.cfg.Survey.Store.SurveyInstrument(ctx, sv.Edition, 0)
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	q := r.URL.Query()
	code := q.Get("item")
	it, ok := in.Item(code)
	if !ok || !it.Scaled() || it.Kind == survey.KindAttention {
		code = ""
		for _, c := range itemChoices(in, lang) {
			code = c.Code
			break
		}
		it, _ = in.Item(code)
	}
	res, err := a.cfg.Survey.Store.SurveyResults(ctx, sv.Edition)
	if err != nil {
		return err
	}
	cities, err := a.cfg.Members.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	byCode := map[string]members.City{}
	for _, c := range cities {
		byCode[c.Code] = c
	}
	ref := q.Get("city")
	var refMean survey.Mean
	if rc, ok := res.City(ref); ok {
		x, _ := rc.ItemOf(code)
		refMean = x.Score
	}
	var rows []compareRow
	for _, c := range res.Cities {
		x, _ := c.ItemOf(code)
		row := compareRow{City: byCode[c.City], Figure: scoreFigure("", x.Score), Ref: c.City == ref}
		if row.City.Code == "" {
			row.City = members.City{Code: c.City, Name: c.City}
		}
		if !row.Ref && row.Figure.Value != "" && !refMean.TooFew() && !math.IsNaN(refMean.Mean) && !math.IsNaN(x.Score.SE) {
			d := x.Score.Mean - refMean.Mean
			margin := survey.Z95 * math.Sqrt(x.Score.SE*x.Score.SE+refMean.SE*refMean.SE)
			switch {
			case d > margin:
				row.Verdict = "higher"
			case d < -margin:
				row.Verdict = "lower"
			default:
				row.Verdict = "same"
			}
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(x, y compareRow) int {
		switch {
		case x.Figure.Value == "" && y.Figure.Value != "":
			return 1
		case x.Figure.Value != "" && y.Figure.Value == "":
			return -1
		case x.Figure.Mid > y.Figure.Mid:
			return -1
		case x.Figure.Mid < y.Figure.Mid:
			return 1
		}
		return 0
	})
	return a.s.Render(w, r, "survey_compare.html", map[string]any{"Survey": sv, "Item": it.Label.In(lang), "Code": code,
		"Items": itemChoices(in, lang), "Rows": rows, "Ref": ref, "RefName": byCode[ref].NameIn(lang)})
}

// resultTable is an edition's figures as one table: a row per city and
// figure (item, area, pillar, priority).
func (a *Area) resultTable(r *http.Request, edition, onlyCity string) ([][]string, error) {
	ctx := r.Context()
	res, err := a.cfg.Survey.Store.SurveyResults(ctx, edition)
	if err != nil {
		return nil, err
	}
	num := func(v float64, digits int) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'f', digits, 64)
	}
	rows := [][]string{{"edition", "city", "kind", "code", "measure", "n", "n_eff", "estimate", "se", "ci_low", "ci_high", "too_few"}}
	add := func(city, kind, code, measure string, m survey.Mean) {
		row := []string{edition, city, kind, code, measure, strconv.Itoa(m.N), num(m.NEff, 2)}
		if m.TooFew() || m.N == 0 {
			row = append(row, "", "", "", "", "yes")
		} else {
			row = append(row, num(m.Mean, 6), num(m.SE, 6), num(m.Low(), 6), num(m.High(), 6), "no")
		}
		rows = append(rows, row)
	}
	for _, c := range res.Cities {
		if onlyCity != "" && c.City != onlyCity {
			continue
		}
		for _, it := range c.Items {
			add(c.City, "item", it.Item, "score", it.Score)
			add(c.City, "item", it.Item, "favourable_share", it.Agree)
		}
		for _, g := range c.Groups {
			add(c.City, g.Kind, survey.GroupKey(g.Kind, g.Area, g.Pillar), "score", g.Score)
		}
		for _, p := range c.Priorities {
			add(c.City, "priority", p.Choice, "share", p.Share)
		}
	}
	return rows, nil
}

func writeCSV(w http.ResponseWriter, name string, rows [][]string) error {
	var b bytes.Buffer
	cw := csvsafe.NewWriter(&b) // no cell read as a formula by a spreadsheet
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	_, err := w.Write(b.Bytes())
	return err
}

func (a *Area) cityResultsCSV(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.cfg.Members.City(r.Context(), r.PathValue("city")); err != nil {
		return err
	}
	rows, err := a.resultTable(r, r.PathValue("edition"), r.PathValue("city"))
	if err != nil {
		return err
	}
	return writeCSV(w, "survey-"+r.PathValue("edition")+"-"+r.PathValue("city")+".csv", rows)
}

func (a *Area) editionResultsCSV(w http.ResponseWriter, r *http.Request) error {
	rows, err := a.resultTable(r, r.PathValue("edition"), "")
	if err != nil {
		return err
	}
	return writeCSV(w, "survey-"+r.PathValue("edition")+".csv", rows)
}

func (a *Area) editionResultsXLSX(w http.ResponseWriter, r *http.Request) error {
	rows, err := a.resultTable(r, r.PathValue("edition"), "")
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			if v, err := strconv.ParseFloat(c, 64); err == nil && i > 0 && j >= 5 {
				cells[j] = v
			} else {
				cells[j] = c
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	x.SetSheetName("Sheet1", "survey")
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "survey-"+r.PathValue("edition")+".xlsx"))
	return x.Write(w)
}

func (a *Area) apiResults(w http.ResponseWriter, r *http.Request) error {
	res, err := a.cfg.Survey.Store.SurveyResults(r.Context(), r.PathValue("edition"))
	if err != nil {
		return err
	}
	res.ComputedBy = "" // who ran it is for the audit log, not the public
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (a *Area) apiIndexValues(w http.ResponseWriter, r *http.Request) error {
	vals, err := a.cfg.Survey.IndexValues(r.Context(), r.PathValue("edition"))
	if err != nil {
		return err
	}
	if vals == nil {
		vals = []survey.IndexValue{}
	}
	web.WriteJSON(w, http.StatusOK, indexValuesResponse{Edition: r.PathValue("edition"), Values: vals})
	return nil
}

// indexValuesResponse is the body of GET /api/v1/survey/{edition}/index-values.
type indexValuesResponse struct {
	Edition string              `json:"edition"`
	Values  []survey.IndexValue `json:"values"`
}

// ---- administration ----

func (a *Area) adminHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	svs, err := a.cfg.Survey.Store.Surveys(ctx)
	if err != nil {
		return err
	}
	eds, err := a.cfg.Editions.Editions(ctx)
	if err != nil {
		return err
	}
	var free []*catalogue.Edition
	for _, e := range eds {
		if !slices.ContainsFunc(svs, func(s survey.Survey) bool { return s.Edition == e.Code }) {
			free = append(free, e)
		}
	}
	return a.s.Render(w, r, "survey_admin_home.html", map[string]any{"Surveys": svs, "Editions": free})
}

func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", strings.TrimSpace(s)) }

func (a *Area) adminConfigure(w http.ResponseWriter, r *http.Request) error {
	var ps []citylens.Problem
	opens, err := parseDay(r.PostFormValue("opens"))
	if err != nil {
		ps = append(ps, citylens.Problem{Field: "opens", Reason: "a date YYYY-MM-DD", Key: "survey.problem.date_field"})
	}
	closes, err := parseDay(r.PostFormValue("closes"))
	if err != nil {
		ps = append(ps, citylens.Problem{Field: "closes", Reason: "a date YYYY-MM-DD", Key: "survey.problem.date_field"})
	}
	var pooling []float64
	for _, f := range strings.FieldsFunc(r.PostFormValue("pooling"), func(c rune) bool { return c == ':' || c == ',' || c == ' ' }) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			ps = append(ps, citylens.Problem{Field: "pooling", Reason: "1 to 5 wave weights", Key: "survey.problem.pooling"})
			break
		}
		pooling = append(pooling, v)
	}
	trim := 0.0
	if s := strings.TrimSpace(r.PostFormValue("trim_at")); s != "" {
		if trim, err = strconv.ParseFloat(s, 64); err != nil {
			ps = append(ps, citylens.Problem{Field: "trim_at", Reason: "a number", Key: "survey.problem.trim"})
		}
	}
	if len(ps) > 0 {
		return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.settings", Problems: ps}
	}
	edition := r.PostFormValue("edition")
	if _, err := a.cfg.Editions.Edition(r.Context(), edition); err != nil {
		return err
	}
	prev, _ := a.cfg.Survey.Store.Survey(r.Context(), edition)
	sv, err := a.cfg.Survey.Configure(r.Context(), web.ActorOf(r), survey.Survey{Edition: edition, Opens: opens,
		Closes: closes.Add(24 * time.Hour), Pooling: pooling, TrimAt: trim, Demo: prev.Demo})
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(sv.Edition), "survey.flash.saved")
	return nil
}

type excludedRow struct {
	survey.Response
	FlagText string
}

func (a *Area) adminSurvey(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	in, err := a.cfg.Survey.Store.SurveyInstrument(ctx, sv.Edition, 0)
	if err != nil {
		return err
	}
	rs, err := a.cfg.Survey.Store.SurveyResponses(ctx, sv.Edition, "")
	if err != nil {
		return err
	}
	margins, err := a.cfg.Survey.Store.SurveyMargins(ctx, sv.Edition)
	if err != nil {
		return err
	}
	cities, err := a.cfg.Members.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var flagged []excludedRow
	lang := web.ReaderLang(r)
	for _, x := range rs {
		counts[x.City]++
		if len(x.Flags) > 0 || x.Override != "" {
			var words []string
			for _, f := range x.Flags {
				words = append(words, web.Label(a.s.Catalog(), lang, "survey.flag", f))
			}
			flagged = append(flagged, excludedRow{Response: x, FlagText: strings.Join(words, ", ")})
		}
	}
	type cityRow struct {
		City       members.City
		Responses  int
		HasMargins bool
	}
	var rows []cityRow
	for _, c := range cities {
		if counts[c.Code] > 0 || margins[c.Code] != nil {
			rows = append(rows, cityRow{City: c, Responses: counts[c.Code], HasMargins: margins[c.Code] != nil})
		}
	}
	res, err := a.cfg.Survey.Store.SurveyResults(ctx, sv.Edition)
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	pooling := make([]string, len(sv.Pooling))
	for i, p := range sv.Pooling {
		pooling[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return a.s.Render(w, r, "survey_admin.html", map[string]any{"Survey": sv, "Instrument": in, "Cities": rows, "AllCities": cities,
		"Flagged": flagged, "Results": res, "Responses": len(rs), "Pooling": strings.Join(pooling, ":"),
		"Opens": sv.Opens.Format("2006-01-02"), "Closes": sv.Closes.Add(-24 * time.Hour).Format("2006-01-02")})
}

// instrumentRow is one text of the instrument in the browser editor.
type instrumentRow struct {
	Field string // form name prefix: "item:<code>", "area:<code>", "choice:<list>:<code>"
	Code  string
	Kind  string
	Texts []langText
}

type langText struct {
	Lang, Text, By string
	At             time.Time
}

func (a *Area) adminInstrument(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	in, err := a.cfg.Survey.Store.SurveyInstrument(ctx, sv.Edition, 0)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "survey_instrument.html", map[string]any{"Survey": sv, "Instrument": in, "Rows": instrumentRows(in)})
}

func instrumentRows(in *survey.Instrument) []instrumentRow {
	texts := func(l survey.Labels) []langText {
		var out []langText
		for _, lang := range in.Languages {
			t := l[lang]
			out = append(out, langText{Lang: lang, Text: t.Text, By: t.By, At: t.At})
		}
		return out
	}
	var rows []instrumentRow
	for _, ar := range in.Areas {
		rows = append(rows, instrumentRow{Field: "area:" + ar.Code, Code: ar.Code, Kind: "area", Texts: texts(ar.Label)})
	}
	for _, it := range in.Items {
		rows = append(rows, instrumentRow{Field: "item:" + it.Code, Code: it.Code, Kind: it.Kind, Texts: texts(it.Label)})
	}
	for _, l := range in.Lists {
		for _, c := range l.Choices {
			rows = append(rows, instrumentRow{Field: "choice:" + l.Name + ":" + c.Code, Code: l.Name + " · " + c.Code, Kind: "choice", Texts: texts(c.Label)})
		}
	}
	return rows
}

// adminInstrumentSave saves the texts edited in the browser (fields
// "<row field>|<lang>") as the next version; a new language's code in
// "add_lang" adds a column to fill (every text of it is then required).
func (a *Area) adminInstrumentSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, r.PathValue("edition"))
	if err != nil {
		return err
	}
	in, err := a.cfg.Survey.Store.SurveyInstrument(ctx, sv.Edition, 0)
	if err != nil {
		return err
	}
	in = in.Clone()
	if add := strings.TrimSpace(r.PostFormValue("add_lang")); add != "" {
		if !slices.Contains(in.Languages, add) {
			in.Languages = append(in.Languages, add)
		}
		// Show the editor with the new, empty column; nothing saved yet.
		return a.s.Render(w, r, "survey_instrument.html", map[string]any{"Survey": sv, "Instrument": in, "Rows": instrumentRows(in)})
	}
	if langs := r.PostFormValue("languages"); langs != "" {
		for _, l := range strings.Fields(langs) {
			if !slices.Contains(in.Languages, l) {
				in.Languages = append(in.Languages, l)
			}
		}
	}
	set := func(field string, l survey.Labels) {
		for _, lang := range in.Languages {
			v, ok := r.PostForm[field+"|"+lang]
			if !ok {
				continue
			}
			text := strings.TrimSpace(v[0])
			if text == "" {
				delete(l, lang)
				continue
			}
			if l[lang].Text != text {
				l[lang] = survey.Text{Text: text} // credited by the service
			}
		}
	}
	for i := range in.Areas {
		set("area:"+in.Areas[i].Code, in.Areas[i].Label)
	}
	for i := range in.Items {
		set("item:"+in.Items[i].Code, in.Items[i].Label)
	}
	for i := range in.Lists {
		for j := range in.Lists[i].Choices {
			set("choice:"+in.Lists[i].Name+":"+in.Lists[i].Choices[j].Code, in.Lists[i].Choices[j].Label)
		}
	}
	saved, err := a.cfg.Survey.SaveInstrument(ctx, web.ActorOf(r), sv.Edition, in)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(sv.Edition)+"/instrument", "survey.flash.instrument", saved.Version)
	return nil
}

func (a *Area) adminInstrumentXLSX(w http.ResponseWriter, r *http.Request) error {
	in, err := a.cfg.Survey.Store.SurveyInstrument(r.Context(), r.PathValue("edition"), 0)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := in.WriteXLSForm(&b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("survey-%s-v%d.xlsx", r.PathValue("edition"), in.Version)))
	_, err = w.Write(b.Bytes())
	return err
}

func (a *Area) uploaded(r *http.Request) (string, []byte, error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return "", nil, citylens.E(citylens.ETOOLARGE, "survey.error.upload_too_large", a.cfg.MaxUpload)
		}
		return "", nil, citylens.E(citylens.EINVALID, "survey.error.no_file")
	}
	defer f.Close()
	var b bytes.Buffer
	n, err := b.ReadFrom(http.MaxBytesReader(nil, f, a.cfg.MaxUpload+1))
	if err != nil || n > a.cfg.MaxUpload {
		return "", nil, citylens.E(citylens.ETOOLARGE, "survey.error.upload_too_large", a.cfg.MaxUpload)
	}
	return hdr.Filename, b.Bytes(), nil
}

func (a *Area) adminInstrumentUpload(w http.ResponseWriter, r *http.Request) error {
	_, data, err := a.uploaded(r)
	if err != nil {
		return err
	}
	in, err := a.cfg.Survey.ImportInstrument(r.Context(), web.ActorOf(r), r.PathValue("edition"), data, a.cfg.MaxUpload)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(r.PathValue("edition"))+"/instrument", "survey.flash.instrument", in.Version)
	return nil
}

func (a *Area) adminMargins(w http.ResponseWriter, r *http.Request) error {
	name, data, err := a.uploaded(r)
	if err != nil {
		return err
	}
	n, err := a.cfg.Survey.ImportMargins(r.Context(), web.ActorOf(r), r.PathValue("edition"), name, data, a.cfg.MaxUpload)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(r.PathValue("edition")), "survey.flash.margins", n)
	return nil
}

func (a *Area) adminResponsesUpload(w http.ResponseWriter, r *http.Request) error {
	name, data, err := a.uploaded(r)
	if err != nil {
		return err
	}
	n, err := a.cfg.Survey.ImportResponses(r.Context(), web.ActorOf(r), r.PathValue("edition"), name, data, a.cfg.MaxUpload)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(r.PathValue("edition")), "survey.flash.responses", n)
	return nil
}

func (a *Area) adminCompute(w http.ResponseWriter, r *http.Request) error {
	res, err := a.cfg.Survey.Compute(r.Context(), web.ActorOf(r), r.PathValue("edition"))
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(r.PathValue("edition")), "survey.flash.computed", len(res.Cities))
	return nil
}

func (a *Area) adminInvites(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PostFormValue("count"))
	if err != nil {
		return citylens.E(citylens.EINVALID, "survey.error.invites_count", 10000)
	}
	city := r.PostFormValue("city")
	if _, err := a.cfg.Members.City(r.Context(), city); err != nil {
		return err
	}
	codes, err := a.cfg.Survey.NewInvites(r.Context(), web.ActorOf(r), r.PathValue("edition"), city, n, randomBytes)
	if err != nil {
		return err
	}
	rows := [][]string{{"city", "invitation_code", "link"}}
	for _, c := range codes {
		rows = append(rows, []string{city, c, "/survey/" + url.PathEscape(r.PathValue("edition")) + "/" + url.PathEscape(city)})
	}
	return writeCSV(w, "invitations-"+r.PathValue("edition")+"-"+city+".csv", rows)
}

func (a *Area) adminOverride(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	resp, err := a.cfg.Survey.Store.SurveyResponse(r.Context(), id)
	if err != nil {
		return err
	}
	if err := a.cfg.Survey.Override(r.Context(), web.ActorOf(r), id, r.PostFormValue("decision"), r.PostFormValue("reason")); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(resp.Edition), "survey.flash.override")
	return nil
}

// adminResponsesCSV is the response-level data without any identifier:
// no row number, no time, rows in the order of their answers, not of
// their arrival.
func (a *Area) adminResponsesCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	edition := r.PathValue("edition")
	in, err := a.cfg.Survey.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return err
	}
	rs, err := a.cfg.Survey.Store.SurveyResponses(ctx, edition, "")
	if err != nil {
		return err
	}
	header := []string{"city", "lang", "source", "valid", "flags"}
	for _, it := range in.Items {
		header = append(header, it.Code)
	}
	var rows [][]string
	for _, x := range rs {
		row := []string{x.City, x.Lang, x.Source, strconv.FormatBool(x.Valid()), strings.Join(x.Flags, " ")}
		for _, it := range in.Items {
			if it.Kind == survey.KindPriorities {
				row = append(row, strings.Join(x.Priorities, " "))
			} else {
				row = append(row, x.Answers[it.Code])
			}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(p, q []string) int { return slices.Compare(p, q) })
	return writeCSV(w, "survey-responses-"+edition+".csv", append([][]string{header}, rows...))
}

func randomBytes(b []byte) { rand.Read(b) }
