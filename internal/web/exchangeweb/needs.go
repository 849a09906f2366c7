package exchangeweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// Matching is the knowledge exchange's second area: a city's needs and
// strengths with their explanations and its suggested partners, and the
// secretariat's matching rounds. Its templates are the library area's
// (exchange_needs.html, exchange_rounds.html, exchange_round.html).
type Matching struct {
	m *exchange.Matching
	s *web.Server
}

// NewMatching is the needs, strengths and matching area.
func NewMatching(m *exchange.Matching) *Matching { return &Matching{m: m} }

// Register adds the area's routes.
func (a *Matching) Register(s *web.Server) {
	a.s = s
	s.Page("GET /exchange/cities/{city}", web.AccessPublic, a.cityPage)
	s.Page("POST /exchange/cities/{city}/items", AccessAuthors, a.setItem)
	s.Page("GET /exchange/rounds", web.AccessPublic, a.roundsPage)
	s.Page("GET /exchange/rounds/{id}", web.AccessPublic, a.roundPage)
	s.Page("POST /exchange/rounds/{id}/opt", AccessAuthors, a.optIn)
	s.Page("POST /exchange/rounds/{id}/answer", AccessAuthors, a.answer)
	s.Page("POST /admin/exchange/rounds", web.AccessAdmin, a.createRound)
	s.Page("POST /admin/exchange/rounds/{id}/run", web.AccessAdmin, a.run)
	s.Page("POST /admin/exchange/rounds/{id}/state", web.AccessAdmin, a.setState)
}

// itemView is one need or strength as the page lists it.
type itemView struct {
	Side, Kind, Ref, Theme string
	ThemeLabel             string
	Name                   string
	Why                    string
	State                  string
	Note                   string
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// theme is a theme's label: a pillar's name, a translated library theme,
// or the theme as the city wrote it.
func (a *Matching) theme(r *http.Request, theme string) string {
	key := "match.theme." + theme
	if t := a.s.T(r, key); t != "["+key+"]" {
		return t
	}
	return theme
}

// why is an item's explanation in the reader's language.
func (a *Matching) why(r *http.Request, it exchange.CityItem) string {
	lang := string(web.ReaderLang(r))
	name := it.NameIn(lang)
	switch it.Kind {
	case exchange.KindPillar:
		if it.Side == exchange.SideNeed {
			key := "match.why.pillar_need"
			if it.Detail == "network" {
				key = "match.why.pillar_need_network"
			}
			return a.s.T(r, key, name, num(it.Gap), num(it.Value), num(it.Median), num(it.Low), num(it.High))
		}
		key := "match.why.pillar_strength"
		if it.Detail == "network" {
			key = "match.why.pillar_strength_network"
		}
		return a.s.T(r, key, name, num(it.Gap), num(it.Value), num(it.Median), num(it.Low), num(it.High),
			strconv.Itoa(it.Rank), strconv.Itoa(it.Of))
	case exchange.KindSurveyItem:
		return a.s.T(r, "match.why.survey_item", name, num(it.Value), num(it.Low), num(it.High), num(it.Median), it.Detail)
	case exchange.KindPriority:
		return a.s.T(r, "match.why.priority", name, num(it.Value), it.Detail)
	case exchange.KindWinner:
		return a.s.T(r, "match.why.winner", name, a.s.T(r, "match.award."+strings.ReplaceAll(it.Detail, " ", ".")))
	case exchange.KindPractice:
		return a.s.T(r, "match.why.practice", name, it.Ref)
	}
	if name != "" && name != it.Theme {
		return a.s.T(r, "match.why.stated_named", name)
	}
	return a.s.T(r, "match.why.stated")
}

func (a *Matching) items(r *http.Request, items []exchange.CityItem) []itemView {
	out := make([]itemView, 0, len(items))
	for _, it := range items {
		why := a.why(r, it)
		if it.Kind == exchange.KindStated {
			why = "" // its name and state say it
		}
		out = append(out, itemView{Side: it.Side, Kind: it.Kind, Ref: it.Ref, Theme: it.Theme, ThemeLabel: a.theme(r, it.Theme),
			Name: it.NameIn(string(web.ReaderLang(r))), Why: why, State: it.State, Note: it.Note})
	}
	return out
}

// partnerView is a suggested partner of a city.
type partnerView struct {
	RoundID    int64
	RoundTitle string
	RoundState string
	Role       string // the city's role: learner or mentor
	Learner    string
	Mentor     string
	Other      string // the partner's code
	OtherName  string
	Score      string
	Status     string
	Mine       string // the city's own answer
	Reasons    []string
	CanAnswer  bool
}

// reasons are a suggestion's explanation lines: "Busan needs mobility:
// ...; Rotterdam: ...".
func (a *Matching) reasons(r *http.Request, s exchange.Suggestion, names map[string]members.City) []string {
	lang := string(web.ReaderLang(r))
	var out []string
	for _, rs := range s.Reasons {
		out = append(out, a.s.T(r, "match.reason", names[s.Learner].NameIn(lang), a.theme(r, rs.Need.Theme), a.why(r, rs.Need),
			names[s.Mentor].NameIn(lang), a.why(r, rs.Strength)))
	}
	return out
}

func score(s int64) string { return strconv.FormatFloat(float64(s)/10, 'f', 1, 64) }

func (a *Matching) cityPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	code := r.PathValue("city")
	cn, err := a.m.Needs(r.Context(), v, code)
	if err != nil {
		return err
	}
	sugg, err := a.m.CitySuggestions(r.Context(), v, code)
	if err != nil {
		return err
	}
	codes := []string{code}
	for _, s := range sugg {
		codes = append(codes, s.Other(code))
	}
	names, err := a.m.CityNames(r.Context(), codes)
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	var partners []partnerView
	for _, s := range sugg {
		p := partnerView{RoundID: s.Round.ID, RoundTitle: s.Round.TitleIn(lang), RoundState: s.Round.State, Learner: s.Learner, Mentor: s.Mentor,
			Other: s.Other(code), OtherName: names[s.Other(code)].NameIn(lang), Score: score(s.Score), Status: s.Status(),
			Reasons: a.reasons(r, s.Suggestion, names), CanAnswer: cn.CanEdit && s.Round.State == exchange.RoundPublished}
		if s.Learner == code {
			p.Role, p.Mine = "learner", s.LearnerAnswer
		} else {
			p.Role, p.Mine = "mentor", s.MentorAnswer
		}
		partners = append(partners, p)
	}
	return a.s.Render(w, r, "exchange_needs.html", map[string]any{
		"Code": code, "Name": cn.City.NameIn(lang), "Release": cn.Release, "Survey": cn.Survey, "CanEdit": cn.CanEdit,
		"Partners": partners, "Sections": []struct {
			Side  string
			Items []itemView
		}{{exchange.SideNeed, a.items(r, cn.Needs)}, {exchange.SideStrength, a.items(r, cn.Strengths)}},
	})
}

func (a *Matching) setItem(w http.ResponseWriter, r *http.Request) error {
	city := r.PathValue("city")
	f := r.PostFormValue
	o := exchange.Override{Key: exchange.ItemKey{Side: f("side"), Kind: f("kind"), Ref: f("ref"), Theme: f("theme")}, Name: f("name"), Note: f("note")}
	if err := a.m.SetItem(r.Context(), viewer(r), actor(r), city, f("action"), o); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/cities/"+city, "flash.match.item")
	return nil
}

func roundID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "match.error.no_round", "Matching round %d not found.", id)
	}
	return id, nil
}

// Nav links the matching rounds.
func (a *Matching) Nav(v web.Viewer) []web.NavLink {
	return []web.NavLink{{Href: "/exchange/rounds", Label: "nav.match"}}
}

var _ web.AreaNav = (*Matching)(nil)
