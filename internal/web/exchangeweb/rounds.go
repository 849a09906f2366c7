package exchangeweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/web"
)

func (a *Matching) roundsPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	rs, err := a.m.Rounds(r.Context(), v)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "exchange_rounds.html", map[string]any{
		"Rounds": rs, "Admin": v.Admin, "MyCity": v.City, "Lang": string(web.ReaderLang(r)), "Defaults": exchange.DefaultWeights,
	})
}

// pairView is a suggestion on a round's page.
type pairView struct {
	Learner, Mentor         string
	LearnerName, MentorName string
	Score                   string
	Parts                   [3]string // needs, context, practical: percentages
	Status                  string
	LearnerAnswer           string
	MentorAnswer            string
	Reasons                 []string
	Run                     int
	AnswerAs                []string // the cities the viewer may answer for
}

func pct(f float64) string { return strconv.Itoa(int(f*100 + 0.5)) }

func (a *Matching) roundPage(w http.ResponseWriter, r *http.Request) error {
	id, err := roundID(r)
	if err != nil {
		return err
	}
	v := viewer(r)
	rv, err := a.m.Round(r.Context(), v, id)
	if err != nil {
		return err
	}
	codes := []string{}
	for _, o := range rv.Opts {
		codes = append(codes, o.City)
	}
	for _, s := range rv.Suggestions {
		codes = append(codes, s.Learner, s.Mentor)
	}
	for _, p := range rv.Round.Result.Unstable {
		codes = append(codes, p.Learner, p.Mentor)
	}
	names, err := a.m.CityNames(r.Context(), codes)
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	name := func(c string) string {
		if n, ok := names[c]; ok {
			return n.NameIn(lang)
		}
		return c
	}
	var pairs []pairView
	for _, s := range rv.Suggestions {
		p := pairView{Learner: s.Learner, Mentor: s.Mentor, LearnerName: name(s.Learner), MentorName: name(s.Mentor), Score: score(s.Score),
			Parts: [3]string{pct(s.Needs), pct(s.Context), pct(s.Practical)}, Status: s.Status(), LearnerAnswer: s.LearnerAnswer,
			MentorAnswer: s.MentorAnswer, Reasons: a.reasons(r, s, names), Run: s.Run}
		if rv.Round.State == exchange.RoundPublished {
			for _, c := range []string{s.Learner, s.Mentor} {
				if v.CanEdit(c) {
					p.AnswerAs = append(p.AnswerAs, c)
				}
			}
		}
		pairs = append(pairs, p)
	}
	type shortView struct {
		City, Role, Reason string
		Places, Filled     int
	}
	var short []shortView
	for _, sf := range rv.Round.Result.Shortfall {
		short = append(short, shortView{City: name(sf.City), Role: sf.Role, Reason: sf.Reason, Places: sf.Places, Filled: sf.Filled})
	}
	type unstableView struct{ Learner, Mentor, Score string }
	var unstable []unstableView
	for _, p := range rv.Round.Result.Unstable {
		unstable = append(unstable, unstableView{name(p.Learner), name(p.Mentor), score(p.Score)})
	}
	type optView struct {
		exchange.Opt
		Name    string
		CanEdit bool
	}
	var opts []optView
	mine := false
	for _, o := range rv.Opts {
		opts = append(opts, optView{Opt: o, Name: name(o.City), CanEdit: v.CanEdit(o.City)})
		mine = mine || o.City == v.City
	}
	return a.s.Render(w, r, "exchange_round.html", map[string]any{
		"Round": rv.Round, "Title": rv.Round.TitleIn(lang), "Opts": opts, "Pairs": pairs, "ShowPairs": rv.ShowPairs,
		"Shortfall": short, "Total": score(rv.Round.Result.Total), "Unstable": unstable, "Admin": v.Admin, "MyCity": v.City, "Opted": mine,
		"CanOpt":  rv.Round.State != exchange.RoundClosed && (v.Admin || v.City != ""),
		"Weights": [3]string{num(rv.Round.Weights.Needs), num(rv.Round.Weights.Context), num(rv.Round.Weights.Practical)},
	})
}

func formFloat(r *http.Request, field string) float64 {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return -1 // named by Validate
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return f
}

func formInt(r *http.Request, field string) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
	if err != nil {
		return -1 // named by Validate
	}
	return n
}

func (a *Matching) createRound(w http.ResponseWriter, r *http.Request) error {
	rd := &exchange.Round{Title: r.PostFormValue("title"), TitleKO: r.PostFormValue("title_ko"),
		Weights: exchange.Weights{Needs: formFloat(r, "weight_needs"), Context: formFloat(r, "weight_context"), Practical: formFloat(r, "weight_practical")}}
	if err := a.m.CreateRound(r.Context(), viewer(r), actor(r), rd); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/rounds/"+strconv.FormatInt(rd.ID, 10), "flash.match.created")
	return nil
}

func (a *Matching) optIn(w http.ResponseWriter, r *http.Request) error {
	id, err := roundID(r)
	if err != nil {
		return err
	}
	v := viewer(r)
	city := strings.TrimSpace(r.PostFormValue("city"))
	if city == "" {
		city = v.City
	}
	o := exchange.Opt{Round: id, City: city, Learner: formInt(r, "learner"), Mentor: formInt(r, "mentor"),
		Languages: strings.FieldsFunc(r.PostFormValue("languages"), func(c rune) bool { return c == ',' || c == ' ' })}
	if len(o.Languages) > 4*exchange.MaxLanguages {
		o.Languages = o.Languages[:4*exchange.MaxLanguages]
	}
	if err := a.m.OptIn(r.Context(), v, actor(r), o); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/rounds/"+strconv.FormatInt(id, 10), "flash.match.opted")
	return nil
}

func (a *Matching) run(w http.ResponseWriter, r *http.Request) error {
	id, err := roundID(r)
	if err != nil {
		return err
	}
	rd, err := a.m.Run(r.Context(), viewer(r), actor(r), id)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/rounds/"+strconv.FormatInt(id, 10), "flash.match.run", rd.Runs, score(rd.Result.Total))
	return nil
}

func (a *Matching) setState(w http.ResponseWriter, r *http.Request) error {
	id, err := roundID(r)
	if err != nil {
		return err
	}
	state := r.PostFormValue("state")
	if state != exchange.RoundPublished && state != exchange.RoundClosed {
		return citylens.Ef(citylens.EINVALID, "match.error.state", "Matching round %d cannot become %s now.", id, state)
	}
	if err := a.m.SetState(r.Context(), viewer(r), actor(r), id, state); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/rounds/"+strconv.FormatInt(id, 10), "flash.match."+state)
	return nil
}

func (a *Matching) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := roundID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if err := a.m.Answer(r.Context(), viewer(r), actor(r), id, f("learner"), f("mentor"), f("city"), f("answer")); err != nil {
		return err
	}
	back := "/exchange/rounds/" + strconv.FormatInt(id, 10)
	if f("back") == "city" {
		back = "/exchange/cities/" + f("city")
	}
	a.s.RedirectFlash(w, r, back, "flash.match."+f("answer"))
	return nil
}
