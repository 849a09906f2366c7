// Package exchangeweb is the knowledge exchange's part of the web layer:
// the practice library's search page with facets, each case's page, the
// form by which the secretariat and member cities add practices, and the
// secretariat's import of the prize applications whose applicants agreed.
// Handlers call the exchange service (internal/exchange), which decides
// who sees which case.
package exchangeweb

import (
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/web"
)

// Area is the knowledge exchange web area.
type Area struct {
	svc      *exchange.Service
	partners *exchange.PartnershipService // nil: no partnerships' pages (partnerships.go)
	s        *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the knowledge exchange area.
func New(svc *exchange.Service) *Area { return &Area{svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the library's pages (exchange_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// AccessAuthors may add practices: the secretariat and the cities' focal
// points (the service keeps a focal point to its own city).
var AccessAuthors = web.Access{Name: "exchange-authors", Roles: []accounts.Role{accounts.RoleAdmin, accounts.RoleFocal}}

// Register adds the library's routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /exchange", web.AccessPublic, a.libraryPage)
	s.Page("GET /exchange/cases/{id}", web.AccessPublic, a.casePage)
	s.Page("GET /exchange/new", AccessAuthors, a.newPage)
	s.Page("POST /exchange/cases", AccessAuthors, a.create)
	s.Page("POST /admin/exchange/import", web.AccessAdmin, a.importPrize)
	if a.partners != nil {
		a.registerPartnerships(s)
	}
}

// Nav links the library.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	// The partnerships are linked from the library's page, not the bar
	// (already full: one more link wraps it on narrower screens).
	return []web.NavLink{{Href: "/exchange", Label: "nav.exchange"}}
}

func viewer(r *http.Request) exchange.Viewer {
	v := web.ViewerOf(r)
	ev := exchange.Viewer{UserID: v.User.ID}
	switch v.User.Role {
	case accounts.RoleAdmin:
		ev.Member, ev.Admin = true, true
	case accounts.RoleRegional:
		ev.Member = true
	case accounts.RoleFocal:
		ev.Member, ev.City = true, v.User.CityCode
	}
	return ev
}

func actor(r *http.Request) auditlog.Actor {
	v := web.ViewerOf(r)
	return auditlog.Actor{UserID: v.User.ID, Email: v.User.Email}
}

// facetView is one facet as the page lists it.
type facetView struct {
	Field  string
	Values []facetValue
}

type facetValue struct {
	Value    string
	Label    string
	Count    int
	Selected bool
	Href     string // the search with this value toggled
}

// libraryData is the library page.
type libraryData struct {
	Query    string
	Result   exchange.Result
	Facets   []facetView
	Filters  []facetValue // the selected values, each with its removal link
	Page     int
	Prev     string
	Next     string
	CanAdd   bool
	Admin    bool
	NoTerms  bool // the query had text but no searchable word
	Lang     string
	Imported *exchange.Imported
}

// filtersOf reads the facet filters of the query string: f=field:value.
func filtersOf(u url.Values) map[string][]string {
	out := map[string][]string{}
	for _, fv := range u["f"] {
		field, value, ok := strings.Cut(fv, ":")
		if ok && value != "" {
			out[field] = append(out[field], value)
		}
	}
	return out
}

func hrefOf(q string, filters map[string][]string, page int) string {
	u := url.Values{}
	if q != "" {
		u.Set("q", q)
	}
	fields := make([]string, 0, len(filters))
	for f := range filters {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		for _, v := range filters[f] {
			u.Add("f", f+":"+v)
		}
	}
	if page > 1 {
		u.Set("page", strconv.Itoa(page))
	}
	if len(u) == 0 {
		return "/exchange"
	}
	return "/exchange?" + u.Encode()
}

func toggled(filters map[string][]string, field, value string) map[string][]string {
	out := map[string][]string{}
	found := false
	for f, vs := range filters {
		for _, v := range vs {
			if f == field && v == value {
				found = true
				continue
			}
			out[f] = append(out[f], v)
		}
	}
	if !found {
		out[field] = append(out[field], value)
	}
	return out
}

// label is a facet value as the page shows it: translated where the
// platform names the value (stages, bands, pillars, sources, languages).
func (a *Area) label(r *http.Request, field, value string) string {
	switch field {
	case "population_band", "budget_band", "esg_pillar", "stage", "source", exchange.FieldLanguages:
		key := "exchange.value." + field + "." + value
		if t := a.s.T(r, key); t != "["+key+"]" {
			return t
		}
	case exchange.FieldSDGs:
		return a.s.T(r, "exchange.value.sdg", value)
	}
	return value
}

func (a *Area) libraryPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	qs := r.URL.Query()
	text := strings.TrimSpace(qs.Get("q"))
	filters := filtersOf(qs)
	page, _ := strconv.Atoi(qs.Get("page"))
	if page < 1 || page > 1000 {
		page = 1
	}
	q := exchange.Query{Text: text, Filters: filters, Limit: exchange.DefaultLimit, Offset: (page - 1) * exchange.DefaultLimit}
	res, err := a.svc.Search(r.Context(), v, q)
	if err != nil {
		return err
	}
	d := libraryData{Query: text, Result: res, Page: page, CanAdd: v.Admin || v.City != "", Admin: v.Admin,
		NoTerms: text != "" && len(res.Terms) == 0, Lang: string(web.ReaderLang(r))}
	selected := map[string]bool{}
	for f, vs := range filters {
		for _, val := range vs {
			selected[f+"\x00"+val] = true
			d.Filters = append(d.Filters, facetValue{Value: val, Label: a.s.T(r, "exchange.facet."+f) + ": " + a.label(r, f, val),
				Selected: true, Href: hrefOf(text, toggled(filters, f, val), 1)})
		}
	}
	sort.Slice(d.Filters, func(i, j int) bool { return d.Filters[i].Label < d.Filters[j].Label })
	for _, f := range exchange.Facets {
		counts := res.Facets[f]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Field: f}
		for _, c := range counts {
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: a.label(r, f, c.Value), Count: c.Count,
				Selected: selected[f+"\x00"+c.Value], Href: hrefOf(text, toggled(filters, f, c.Value), 1)})
		}
		d.Facets = append(d.Facets, fv)
	}
	if page > 1 {
		d.Prev = hrefOf(text, filters, page-1)
	}
	if page*exchange.DefaultLimit < res.Total {
		d.Next = hrefOf(text, filters, page+1)
	}
	return a.s.Render(w, r, "exchange_library.html", d)
}

func (a *Area) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return citylens.Ef(citylens.ENOTFOUND, "exchange.error.notfound", "Case %d not found.", id)
	}
	c, err := a.svc.Get(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	type tagView struct {
		Field  string
		Values []string
	}
	var tags []tagView
	for _, f := range []string{exchange.FieldThemes, exchange.FieldSDGs, exchange.FieldTechnologies, exchange.FieldTargetGroups, exchange.FieldLanguages} {
		if vs := c.Tags[f]; len(vs) > 0 {
			tv := tagView{Field: f}
			for _, v := range vs {
				tv.Values = append(tv.Values, a.label(r, f, v))
			}
			tags = append(tags, tv)
		}
	}
	similar, err := a.svc.Similar(r.Context(), viewer(r), c.ID)
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	return a.s.Render(w, r, "exchange_case.html", map[string]any{
		"Case": c, "Similar": similar, "Partnership": a.casePartnership(r, c.ID), "Lang": lang, "Title": c.TitleIn(lang), "Summary": c.SummaryIn(lang), "Tags": tags,
		"Stage": a.label(r, "stage", c.Stage), "ESG": a.label(r, "esg_pillar", c.ESGPillar),
		"Population": a.label(r, "population_band", c.PopulationBand), "Budget": a.label(r, "budget_band", c.BudgetBand),
	})
}

// formData is the new-practice form, with what was entered and what was
// wrong with it.
type formData struct {
	Case      *exchange.Case
	TagText   map[string]string
	Message   string
	Problems  []string
	Admin     bool
	Fields    map[string][]string // choices
	Selected  map[string]string   // the chosen value of each choice
	TagFields []string
}

func (a *Area) form(r *http.Request, c *exchange.Case, err error) formData {
	d := formData{Case: c, TagText: map[string]string{}, Admin: viewer(r).Admin, Fields: map[string][]string{
		"visibility": {exchange.Public, exchange.Members}, "population_band": exchange.PopulationBands,
		"budget_band": exchange.BudgetBands, "esg_pillar": exchange.ESGPillars, "stage": exchange.Stages}}
	d.TagFields = []string{exchange.FieldThemes, exchange.FieldSDGs, exchange.FieldTechnologies, exchange.FieldTargetGroups, exchange.FieldLanguages}
	d.Selected = map[string]string{"visibility": c.Visibility, "population_band": c.PopulationBand, "budget_band": c.BudgetBand,
		"esg_pillar": c.ESGPillar, "stage": c.Stage}
	for f, vs := range c.Tags {
		d.TagText[f] = strings.Join(vs, ", ")
	}
	if err != nil {
		d.Message = a.s.Message(web.ReaderLang(r), err)
		if ce := citylens.AsError(err); ce != nil {
			for _, p := range ce.Problems {
				reason := p.Reason
				if p.Key != "" {
					reason = a.s.T(r, p.Key, p.Args...)
				}
				d.Problems = append(d.Problems, a.s.T(r, "exchange.field."+p.Field)+": "+reason)
			}
		}
	}
	return d
}

func (a *Area) newPage(w http.ResponseWriter, r *http.Request) error {
	return a.s.Render(w, r, "exchange_form.html", a.form(r, &exchange.Case{Visibility: exchange.Public}, nil))
}

func splitTags(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (a *Area) create(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	c := &exchange.Case{Title: f("title"), TitleKO: f("title_ko"), Summary: f("summary"), SummaryKO: f("summary_ko"),
		CityCode: f("city_code"), CityName: f("city_name"), Country: f("country"), Region: f("region"),
		PopulationBand: f("population_band"), ESGPillar: f("esg_pillar"), Stage: f("stage"), BudgetBand: f("budget_band"),
		Results: f("results"), Evidence: f("evidence"), Contacts: f("contacts"), Visibility: f("visibility"),
		Tags: map[string][]string{}}
	for _, t := range []string{exchange.FieldThemes, exchange.FieldSDGs, exchange.FieldTechnologies, exchange.FieldTargetGroups, exchange.FieldLanguages} {
		if vs := splitTags(f(t)); len(vs) > 0 {
			c.Tags[t] = vs
		}
	}
	for _, kind := range []string{exchange.AdaptedFrom, exchange.TransferredTo} {
		for _, s := range splitTags(f(kind)) {
			id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
			if err != nil {
				id = -1 // named by Validate
			}
			c.Links = append(c.Links, exchange.Link{Kind: kind, CaseID: id})
		}
	}
	if err := a.svc.Create(r.Context(), viewer(r), actor(r), c); err != nil {
		if code := citylens.ErrorCode(err); code == citylens.EINVALID {
			return a.s.RenderStatus(w, r, http.StatusUnprocessableEntity, "exchange_form.html", a.form(r, c, err))
		}
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/cases/"+strconv.FormatInt(c.ID, 10), "flash.exchange.created")
	return nil
}

func (a *Area) importPrize(w http.ResponseWriter, r *http.Request) error {
	edition := strings.TrimSpace(r.PostFormValue("edition"))
	n, err := a.svc.ImportPrize(r.Context(), viewer(r), actor(r), edition)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange", "flash.exchange.imported", n.Created, n.Updated, n.Skipped)
	return nil
}
