// Package homeweb is a city's home: the focal point's dashboard at /home.
// It shows their city's data-call status, index results, survey, prize
// applications and inbox, and any panels other areas add (feasibility
// studies, milestones due, training, events): a Panel names a template of
// its own area and a loader, and the home draws it in the reader's
// language beside the built-in ones.
//
// The home is an area of its own, not part of notifyweb, because it
// gathers every system's view of one city: the inbox is one of its panels,
// as studies or training will be, and no area has to import another to
// appear on it.
package homeweb

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// Panel is a part of a city's home brought by another area.
type Panel struct {
	// ID names the panel (its section's id is "home-<ID>").
	ID string
	// Page is a template file of the panel's own area (web.AreaTemplates)
	// that defines "panel"; it is run with PanelData.
	Page string
	// Load reads the panel's data for a city; nil data hides the panel.
	Load func(ctx context.Context, v web.Viewer, city string) (any, error)
}

// PanelData is what a panel's template receives.
type PanelData struct {
	City string
	Lang string
	Data any
}

// AccessFocal: the home is the focal point's.
var AccessFocal = web.Access{Name: "focal-points", Roles: []accounts.Role{accounts.RoleFocal}}

// Area is the home area.
type Area struct {
	home   *notify.HomeService
	notify *notify.Service
	panels []Panel
	s      *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the home area with the other areas' panels, in their order after
// the built-in ones.
func New(home *notify.HomeService, n *notify.Service, panels ...Panel) *Area {
	return &Area{home: home, notify: n, panels: panels}
}

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the home's page (home_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// Register adds /home.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /home", AccessFocal, a.homePage)
}

// Nav links the home for focal points.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	if v.SignedIn() && v.User.Role == accounts.RoleFocal {
		return []web.NavLink{{Href: "/home", Label: "nav.city_home"}}
	}
	return nil
}

// resultView is the index result with its numbers worded.
type resultView struct {
	*notify.HomeResults
	Score     string
	ScoreBand string
	RankBand  string
}

type noticeView struct {
	Subject string
	URL     string
	Created time.Time
	Unread  bool
}

type homeData struct {
	Home    *notify.Home
	Results *resultView
	Notices []noticeView
	Unread  int
	Panels  []template.HTML
	Lang    string
}

// inboxShown is how many notices the home lists.
const inboxShown = 5

func (a *Area) homePage(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	lang := web.RequestLang(w, r)
	h, err := a.home.Home(r.Context(), v.User.CityCode)
	if err != nil {
		return err
	}
	d := homeData{Home: h, Lang: string(lang)}
	if h.Results != nil {
		d.Results = &resultView{HomeResults: h.Results, Score: num(h.Results.Score),
			ScoreBand: band(h.Results.ScoreBand, num), RankBand: band(h.Results.RankBand, rankNum)}
	}
	ns, err := a.notify.Inbox(r.Context(), v.User.ID, 0, inboxShown)
	if err != nil {
		return err
	}
	for _, n := range ns {
		d.Notices = append(d.Notices, noticeView{Subject: a.notify.Subject(lang, n), URL: n.URL, Created: n.CreatedAt, Unread: n.ReadAt.IsZero()})
	}
	if d.Unread, err = a.notify.Unread(r.Context(), v.User.ID); err != nil {
		return err
	}
	for _, p := range a.panels {
		data, err := p.Load(r.Context(), v, h.City)
		if err != nil {
			return err
		}
		if data == nil {
			continue
		}
		var b bytes.Buffer
		if err := a.s.ExecutePage(&b, lang, p.Page, "panel", PanelData{City: h.City, Lang: string(lang), Data: data}); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "home panel %s: %v", p.ID, err)
		}
		d.Panels = append(d.Panels, template.HTML(`<section id="home-`+template.HTMLEscapeString(p.ID)+`">`)+template.HTML(b.String())+"</section>")
	}
	return a.s.Render(w, r, "home_city.html", d)
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return release.FormatNumber(*v)
}

func rankNum(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(int(*v + 0.5))
}

// band words a band "q5–q95" ("" when it has no numbers).
func band(b release.Band, f func(*float64) string) string {
	lo, hi := f(b.Q5), f(b.Q95)
	if lo == "" || hi == "" {
		return ""
	}
	return lo + "–" + hi
}
