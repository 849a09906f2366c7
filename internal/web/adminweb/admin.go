package adminweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

func (a *Area) registerAdminRoutes(s *web.Server) {
	s.Page("GET /admin/users", web.AccessAdmin, a.usersPage)
	s.Page("POST /admin/users/invite", web.AccessAdmin, a.inviteUser)
	s.Page("POST /admin/users/{id}/role", web.AccessAdmin, a.changeRole)
	s.Page("GET /admin/members", web.AccessCityEditors, a.adminMembers)
	s.Page("POST /admin/members/import", web.AccessAdmin, a.importMembers, web.WithMaxBody(16<<20), web.AsUpload())
	s.Page("GET /admin/members/{code}", web.AccessCityEditors, a.editCityForm)
	s.Page("POST /admin/members/{code}", web.AccessCityEditors, a.saveCity)
	s.Page("GET /admin/outbox", web.AccessAdmin, a.outboxPage)
	s.Page("GET /admin/audit", web.AccessAdmin, a.auditPage)
	s.Page("GET /admin/jobs", web.AccessAdmin, a.jobsPage)
	s.Page("POST /admin/jobs/{id}/cancel", web.AccessAdmin, a.cancelJob)
}

type usersData struct {
	Users   []accounts.User
	Roles   []accounts.Role
	Regions []members.Region
	Cities  []members.City
	Invited string
}

func (a *Area) usersPage(w http.ResponseWriter, r *http.Request) error {
	return a.renderUsers(w, r, "")
}

func (a *Area) renderUsers(w http.ResponseWriter, r *http.Request, invited string) error {
	ctx := r.Context()
	us, err := a.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	regions, err := a.store.ListRegions(ctx)
	if err != nil {
		return err
	}
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "users.html", usersData{us, accounts.Roles, regions, cities, invited})
}

func (a *Area) inviteUser(w http.ResponseWriter, r *http.Request) error {
	u := accounts.User{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: accounts.Role(r.PostFormValue("role")),
		RegionCode: r.PostFormValue("region"), CityCode: r.PostFormValue("city")}
	u, err := a.accounts.Invite(r.Context(), web.ActorOf(r), u)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/users", "flash.invited", u.Email)
	return nil
}

func (a *Area) changeRole(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.accounts.ChangeRole(r.Context(), web.ActorOf(r), id, accounts.Role(r.PostFormValue("role")),
		r.PostFormValue("region"), r.PostFormValue("city"))
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/users", "flash.role_changed", u.Email, web.Label(a.s.Catalog(), web.ReaderLang(r), "role", u.Role))
	return nil
}

func (a *Area) adminMembers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cities, err := web.CitiesFor(r, a.store, members.CityFilter{RegionCode: q.Get("region"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	offices, err := a.store.ListOffices(r.Context())
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "admin_members.html", map[string]any{"Cities": cities, "Offices": offices,
		"Columns": strings.Join(members.CSVColumns, ",")})
}

type cityFormData struct {
	City     members.City
	Regions  []members.Region
	Offices  []members.Office
	Statuses []string
	Admin    bool
	Problems []string // one line per problem, in the reader's language
}

func (a *Area) cityForm(r *http.Request, c members.City, problems []citylens.Problem) (cityFormData, error) {
	regions, err := a.store.ListRegions(r.Context())
	if err != nil {
		return cityFormData{}, err
	}
	offices, err := a.store.ListOffices(r.Context())
	if err != nil {
		return cityFormData{}, err
	}
	return cityFormData{c, regions, offices, members.Statuses, web.ViewerOf(r).IsAdmin(), a.memberProblems(r, problems).Problems}, nil
}

func (a *Area) editCityForm(w http.ResponseWriter, r *http.Request) error {
	c, err := web.ScopedCity(r, a.store)
	if err != nil {
		return err
	}
	d, err := a.cityForm(r, c, nil)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "city_edit.html", d)
}

func (a *Area) saveCity(w http.ResponseWriter, r *http.Request) error {
	c, err := web.ScopedCity(r, a.store)
	if err != nil {
		return err
	}
	var problems []citylens.Problem
	num := func(field string, dst *float64) {
		v := strings.TrimSpace(r.PostFormValue(field))
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			problems = append(problems, citylens.Problem{Column: field, Key: "city.error.number", Args: []any{v}})
			return
		}
		*dst = f
	}
	c.Name = r.PostFormValue("name")
	c.LocalName = r.PostFormValue("local_name")
	num("latitude", &c.Latitude)
	num("longitude", &c.Longitude)
	if v := strings.TrimSpace(r.PostFormValue("population")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			problems = append(problems, citylens.Problem{Column: "population", Key: "city.error.whole", Args: []any{v}})
		}
		c.Population = n
	}
	// Membership itself (country, region, office, status, date) is the
	// secretariat's to change.
	if web.ViewerOf(r).IsAdmin() {
		c.Country, c.RegionCode, c.OfficeCode = r.PostFormValue("country"), r.PostFormValue("region"), r.PostFormValue("office")
		c.Status, c.MemberSince = r.PostFormValue("status"), r.PostFormValue("member_since")
	}
	if len(problems) == 0 {
		err = a.members.SaveCity(r.Context(), web.ActorOf(r), c)
		if _, ps, ok := rejection(err); ok {
			problems = ps
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		d, err := a.cityForm(r, c, problems)
		if err != nil {
			return err
		}
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "city_edit.html", d)
	}
	a.s.RedirectFlash(w, r, "/admin/members", "flash.city_saved", c.Name)
	return nil
}

func (a *Area) importMembers(w http.ResponseWriter, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return citylens.E(citylens.EINVALID, "error.members_file")
	}
	defer f.Close()
	res, err := a.members.ImportCSV(r.Context(), web.ActorOf(r), f)
	if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/members", "flash.members_imported", res.Created, res.Updated, res.Unchanged)
	return nil
}

func (a *Area) outboxPage(w http.ResponseWriter, r *http.Request) error {
	ms, err := a.store.ListOutbox(r.Context(), 200)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "outbox.html", ms)
}

func (a *Area) auditPage(w http.ResponseWriter, r *http.Request) error {
	f, err := web.AuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = auditlog.ClampLimit(f.Limit)
	es, err := a.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(es) == f.Limit {
		q := r.URL.Query()
		q.Set("before", web.Itoa(es[len(es)-1].ID))
		next = "/admin/audit?" + q.Encode()
	}
	return a.s.Render(w, r, "audit.html", map[string]any{"Entries": es, "Query": r.URL.Query(), "Next": next})
}

func (a *Area) jobsPage(w http.ResponseWriter, r *http.Request) error {
	js, err := a.store.ListJobs(r.Context(), jobs.Filter{Limit: 200})
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "jobs.html", js)
}

func (a *Area) cancelJob(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := jobs.Cancel(r.Context(), a.store, a.s.Now(), web.ActorOf(r), id); err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/jobs", "flash.job_cancel")
	return nil
}
