package adminweb

import (
	"net/http"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// The secretariat's directory screens: regional offices and partner
// organisations. Every change goes through members.Service, which
// validates it and writes the audit entry in the same transaction.

func (a *Area) registerDirectoryRoutes(s *web.Server) {
	s.Page("GET /admin/offices", web.AccessAdmin, a.officesPage)
	s.Page("POST /admin/offices", web.AccessAdmin, a.createOffice)
	s.Page("GET /admin/offices/{code}", web.AccessAdmin, a.editOfficeForm)
	s.Page("POST /admin/offices/{code}", web.AccessAdmin, a.updateOffice)
	s.Page("GET /admin/partners", web.AccessAdmin, a.partnersPage)
	s.Page("POST /admin/partners", web.AccessAdmin, a.createPartner)
	s.Page("GET /admin/partners/{code}", web.AccessAdmin, a.editPartnerForm)
	s.Page("POST /admin/partners/{code}", web.AccessAdmin, a.updatePartner)
}

// formProblems is what a rejected form shows: every problem at the top and
// each field's next to it.
type formProblems struct {
	Problems []string          // one line per problem
	Errors   map[string]string // reasons by form field
}

// add records a field's problem: line is its summary line.
func (fp *formProblems) add(field, reason, line string) {
	if fp.Errors == nil {
		fp.Errors = map[string]string{}
	}
	fp.Problems = append(fp.Problems, line)
	if prev := fp.Errors[field]; prev != "" {
		reason = prev + "; " + reason
	}
	fp.Errors[field] = reason
}

// memberProblems are the directory's problems as a form shows them, in
// the reader's language: each next to its field (named by the problem's
// column) and as a line "field: reason".
func (a *Area) memberProblems(r *http.Request, ps []citylens.Problem) formProblems {
	var fp formProblems
	lang := web.ReaderLang(r)
	for _, p := range ps {
		reason := a.s.ProblemReason(lang, p)
		fp.add(p.Column, reason, p.Column+": "+reason)
	}
	return fp
}

// rejection sorts a service's error: the status and problems of a form to
// show again (400 for invalid fields, 409 for a code taken), or ok false
// for any other error (not found, database), which writeError answers.
func rejection(err error) (status int, ps []citylens.Problem, ok bool) {
	e := citylens.AsError(err)
	if e == nil || len(e.Problems) == 0 {
		return 0, nil, false
	}
	switch e.Code {
	case citylens.EINVALID:
		return http.StatusBadRequest, e.Problems, true
	case citylens.ECONFLICT:
		return http.StatusConflict, e.Problems, true
	}
	return 0, nil, false
}

// officeRow is an office in the list: its region's name and how many
// member cities it serves.
type officeRow struct {
	members.Office
	RegionName string
	Cities     int
}

type officesData struct {
	Offices []officeRow
	Regions []members.Region
	Form    members.Office // the create form's values, or the edited office's
	Editing bool           // the page edits Form.Code
	Cities  int            // cities the edited office serves
	formProblems
}

func (a *Area) officesData(r *http.Request, form members.Office, editing bool, ps []citylens.Problem) (officesData, error) {
	ctx := r.Context()
	d := officesData{Form: form, Editing: editing, formProblems: a.memberProblems(r, ps)}
	var err error
	if d.Regions, err = a.store.ListRegions(ctx); err != nil {
		return d, err
	}
	offices, err := a.store.ListOffices(ctx)
	if err != nil {
		return d, err
	}
	cities, err := a.store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return d, err
	}
	served := map[string]int{}
	for _, c := range cities {
		served[c.OfficeCode]++
	}
	regionName := map[string]string{}
	for _, rg := range d.Regions {
		regionName[rg.Code] = rg.Name
	}
	for _, o := range offices {
		d.Offices = append(d.Offices, officeRow{o, regionName[o.RegionCode], served[o.Code]})
	}
	d.Cities = served[form.Code]
	return d, nil
}

func (a *Area) renderOffices(w http.ResponseWriter, r *http.Request, status int, form members.Office, editing bool, ps []citylens.Problem) error {
	d, err := a.officesData(r, form, editing, ps)
	if err != nil {
		return err
	}
	return a.s.RenderStatus(w, r, status, "admin_offices.html", d)
}

func (a *Area) officesPage(w http.ResponseWriter, r *http.Request) error {
	return a.renderOffices(w, r, http.StatusOK, members.Office{}, false, nil)
}

func officeFromForm(r *http.Request, code string) members.Office {
	return members.Office{Code: code, Name: r.PostFormValue("name"), RegionCode: r.PostFormValue("region"),
		HostCity: r.PostFormValue("host_city")}
}

func (a *Area) createOffice(w http.ResponseWriter, r *http.Request) error {
	o := officeFromForm(r, strings.TrimSpace(r.PostFormValue("code")))
	err := a.members.CreateOffice(r.Context(), web.ActorOf(r), o)
	if status, ps, ok := rejection(err); ok {
		return a.renderOffices(w, r, status, o, false, ps)
	} else if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/offices", "flash.office_created", strings.TrimSpace(o.Name), o.Code)
	return nil
}

func (a *Area) editOfficeForm(w http.ResponseWriter, r *http.Request) error {
	o, err := a.store.Office(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return a.renderOffices(w, r, http.StatusOK, o, true, nil)
}

// updateOffice saves the edit form; the code is the path's (a code is
// what cities and users refer to, so it does not change).
func (a *Area) updateOffice(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.store.Office(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	o := officeFromForm(r, r.PathValue("code"))
	err := a.members.UpdateOffice(r.Context(), web.ActorOf(r), o)
	if status, ps, ok := rejection(err); ok {
		return a.renderOffices(w, r, status, o, true, ps)
	} else if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/offices", "flash.office_saved", strings.TrimSpace(o.Name))
	return nil
}

type partnersData struct {
	Partners []members.Partner
	Kinds    []string
	Form     members.Partner
	Editing  bool
	formProblems
}

func (a *Area) renderPartners(w http.ResponseWriter, r *http.Request, status int, form members.Partner, editing bool, ps []citylens.Problem) error {
	list, err := a.store.ListPartners(r.Context())
	if err != nil {
		return err
	}
	return a.s.RenderStatus(w, r, status, "admin_partners.html",
		partnersData{Partners: list, Kinds: members.PartnerKinds, Form: form, Editing: editing, formProblems: a.memberProblems(r, ps)})
}

func (a *Area) partnersPage(w http.ResponseWriter, r *http.Request) error {
	return a.renderPartners(w, r, http.StatusOK, members.Partner{}, false, nil)
}

func partnerFromForm(r *http.Request, code string) members.Partner {
	return members.Partner{Code: code, Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Country: r.PostFormValue("country"), Website: r.PostFormValue("website")}
}

func (a *Area) createPartner(w http.ResponseWriter, r *http.Request) error {
	p := partnerFromForm(r, strings.TrimSpace(r.PostFormValue("code")))
	err := a.members.CreatePartner(r.Context(), web.ActorOf(r), p)
	if status, ps, ok := rejection(err); ok {
		return a.renderPartners(w, r, status, p, false, ps)
	} else if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/partners", "flash.partner_created", strings.TrimSpace(p.Name), p.Code)
	return nil
}

func (a *Area) editPartnerForm(w http.ResponseWriter, r *http.Request) error {
	p, err := a.store.Partner(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return a.renderPartners(w, r, http.StatusOK, p, true, nil)
}

func (a *Area) updatePartner(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.store.Partner(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	p := partnerFromForm(r, r.PathValue("code"))
	err := a.members.UpdatePartner(r.Context(), web.ActorOf(r), p)
	if status, ps, ok := rejection(err); ok {
		return a.renderPartners(w, r, status, p, true, ps)
	} else if err != nil {
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/partners", "flash.partner_saved", strings.TrimSpace(p.Name))
	return nil
}
