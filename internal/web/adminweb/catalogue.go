package adminweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/web"
)

// The secretariat's indicator editor. Changes go through
// catalogue.Service (validation, audit). An indicator's direction, unit and
// valid range feed every later computation of the editions that use it, so
// changing one of those while an edition uses the indicator needs an
// explicit confirmation.

func (a *Area) registerCatalogueAdminRoutes(s *web.Server) {
	s.Page("GET /admin/catalogue/new", web.AccessAdmin, a.newIndicatorForm)
	s.Page("POST /admin/catalogue", web.AccessAdmin, a.createIndicator)
	s.Page("GET /admin/catalogue/{code}/edit", web.AccessAdmin, a.editIndicatorForm)
	s.Page("POST /admin/catalogue/{code}", web.AccessAdmin, a.updateIndicator)
}

// indicatorForm is the indicator form as typed, so a rejected form shows
// exactly what was sent, unparsable numbers included.
type indicatorForm struct {
	Code, Name, Definition, Unit, Direction, Min, Max, Guidance, Notes string
	Pillar, U4SSC, U4SSCTier, Dimension, Subdimension, Category        string
	ISO37120, ISO37122, ISO37123, SDGGoals, SDGTargets                 string
	// The Korean name, unit and definition (empty: the English ones).
	NameKo, UnitKo, DefinitionKo string
}

func formatBound(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func indicatorFormOf(ind catalogue.Indicator) indicatorForm {
	goals := make([]string, len(ind.Xwalk.SDGGoals))
	for i, g := range ind.Xwalk.SDGGoals {
		goals[i] = strconv.Itoa(g)
	}
	x := ind.Xwalk
	return indicatorForm{Code: ind.Code, Name: ind.Name, Definition: ind.Definition, Unit: ind.Unit,
		Direction: strconv.Itoa(ind.Direction), Min: formatBound(ind.Min), Max: formatBound(ind.Max),
		Guidance: ind.Guidance, Notes: ind.Notes, Pillar: x.Pillar, U4SSC: x.U4SSC, U4SSCTier: x.U4SSCTier,
		Dimension: x.Dimension, Subdimension: x.Subdimension, Category: x.Category,
		ISO37120: x.ISO37120, ISO37122: x.ISO37122, ISO37123: x.ISO37123,
		SDGGoals: strings.Join(goals, ", "), SDGTargets: strings.Join(x.SDGTargets, ", "),
		NameKo: ind.Ko.Name, UnitKo: ind.Ko.Unit, DefinitionKo: ind.Ko.Definition}
}

func indicatorFormFrom(r *http.Request, code string) indicatorForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return indicatorForm{Code: code, Name: v("name"), Definition: v("definition"), Unit: v("unit"),
		Direction: v("direction"), Min: v("min"), Max: v("max"), Guidance: v("guidance"), Notes: v("notes"),
		Pillar: v("pillar"), U4SSC: v("u4ssc"), U4SSCTier: v("u4ssc_tier"), Dimension: v("dimension"),
		Subdimension: v("subdimension"), Category: v("category"), ISO37120: v("iso37120"), ISO37122: v("iso37122"),
		ISO37123: v("iso37123"), SDGGoals: v("sdg_goals"), SDGTargets: v("sdg_targets"),
		NameKo: v("name_ko"), UnitKo: v("unit_ko"), DefinitionKo: v("definition_ko")}
}

// splitList splits a typed list on commas, semicolons and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// indicator reads the form: the indicator and the problems of every field,
// those of reading it (a number that is not one) and the catalogue's rules.
func (a *Area) indicatorOfForm(r *http.Request, f indicatorForm) (catalogue.Indicator, formProblems) {
	var fp formProblems
	bad := func(field, key string, args ...any) {
		msg := a.s.T(r, key, args...)
		fp.add(field, msg, msg)
	}
	ind := catalogue.Indicator{Code: f.Code, Name: f.Name, Definition: f.Definition, Unit: f.Unit, Guidance: f.Guidance, Notes: f.Notes,
		Ko: catalogue.Korean{Name: f.NameKo, Unit: f.UnitKo, Definition: f.DefinitionKo},
		Xwalk: catalogue.Crosswalk{Pillar: f.Pillar, U4SSC: f.U4SSC, U4SSCTier: f.U4SSCTier, Dimension: f.Dimension,
			Subdimension: f.Subdimension, Category: f.Category, ISO37120: f.ISO37120, ISO37122: f.ISO37122, ISO37123: f.ISO37123}}
	if d, err := strconv.Atoi(f.Direction); err != nil {
		bad("direction", "cat.form.error.direction", f.Direction)
	} else {
		ind.Direction = d
	}
	for _, b := range []struct {
		field, typed string
		dst          **float64
	}{{"min", f.Min, &ind.Min}, {"max", f.Max, &ind.Max}} {
		if b.typed == "" {
			continue
		}
		v, err := strconv.ParseFloat(b.typed, 64)
		if err != nil {
			bad(b.field, "cat.form.error.bound", b.typed)
			continue
		}
		*b.dst = &v
	}
	for _, g := range splitList(f.SDGGoals) {
		n, err := strconv.Atoi(g)
		if err != nil {
			bad("sdg_goals", "cat.form.error.goal", g)
			continue
		}
		ind.Xwalk.SDGGoals = append(ind.Xwalk.SDGGoals, n)
	}
	ind.Xwalk.SDGTargets = splitList(f.SDGTargets)
	lang := web.ReaderLang(r)
	for _, p := range ind.Problems() {
		if _, seen := fp.Errors[p.Field]; !seen {
			reason := a.s.ProblemReason(lang, p)
			fp.add(p.Field, reason, reason)
		}
	}
	return ind, fp
}

// catalogueProblems are an indicator's problems as its form shows them, in
// the reader's language (each reason names its field).
func (a *Area) catalogueProblems(r *http.Request, ps []citylens.Problem) formProblems {
	var fp formProblems
	lang := web.ReaderLang(r)
	for _, p := range ps {
		reason := a.s.ProblemReason(lang, p)
		fp.add(p.Field, reason, reason)
	}
	return fp
}

// editionUseRow is an edition using the edited indicator.
type editionUseRow struct {
	Code, Name, Status string
	Direction          int  // the edition's own direction, 0: the catalogue's
	Optional           bool // cities may leave it empty
	Cities             int  // cities with a value of the indicator
}

type indicatorPageData struct {
	Form       indicatorForm
	Editing    bool
	Directions []int
	Pillars    []string
	Tiers      []string
	Uses       []editionUseRow
	// Changes are the scoring fields the rejected form changes
	// (direction, unit, min, max); set when it awaits confirmation.
	Changes []string
	formProblems
}

// editionUses lists the editions using an indicator, with how many cities
// have a value of it in each (the data call's counts, one small query per
// edition using it).
func (a *Area) editionUses(r *http.Request, code string) ([]editionUseRow, error) {
	uses, err := a.catalogue.EditionsUsing(r.Context(), code)
	if err != nil {
		return nil, err
	}
	out := make([]editionUseRow, 0, len(uses))
	for _, u := range uses {
		_, counts, err := a.store.ValueCounts(r.Context(), u.Edition.Code, "")
		if err != nil {
			return nil, err
		}
		row := editionUseRow{Code: u.Edition.Code, Name: u.Edition.Name, Status: u.Edition.Status, Direction: u.Direction, Optional: u.Optional}
		for _, c := range counts {
			if c.Indicator == code {
				row.Cities = c.Cities
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (a *Area) renderIndicatorForm(w http.ResponseWriter, r *http.Request, status int, d indicatorPageData) error {
	d.Directions = []int{1, -1, 0}
	d.Pillars = []string{catalogue.PillarE, catalogue.PillarS, catalogue.PillarG}
	d.Tiers = []string{catalogue.TierCore, catalogue.TierAdvanced}
	if d.Editing && d.Uses == nil {
		uses, err := a.editionUses(r, d.Form.Code)
		if err != nil {
			return err
		}
		d.Uses = uses
	}
	return a.s.RenderStatus(w, r, status, "catalogue_edit.html", d)
}

func (a *Area) newIndicatorForm(w http.ResponseWriter, r *http.Request) error {
	return a.renderIndicatorForm(w, r, http.StatusOK, indicatorPageData{})
}

// indicatorRejection sorts a service error like rejection does.
func (a *Area) indicatorRejection(r *http.Request, err error) (int, formProblems, bool) {
	status, ps, ok := rejection(err)
	if !ok {
		return 0, formProblems{}, false
	}
	return status, a.catalogueProblems(r, ps), true
}

func (a *Area) createIndicator(w http.ResponseWriter, r *http.Request) error {
	f := indicatorFormFrom(r, strings.TrimSpace(r.PostFormValue("code")))
	ind, fp := a.indicatorOfForm(r, f)
	if len(fp.Problems) > 0 {
		return a.renderIndicatorForm(w, r, http.StatusBadRequest, indicatorPageData{Form: f, formProblems: fp})
	}
	err := a.catalogue.CreateIndicator(r.Context(), web.ActorOf(r), ind)
	if status, fp, ok := a.indicatorRejection(r, err); ok {
		return a.renderIndicatorForm(w, r, status, indicatorPageData{Form: f, formProblems: fp})
	} else if err != nil {
		return err
	}
	a.calls.Invalidate()
	a.s.RedirectFlash(w, r, "/catalogue/"+url.PathEscape(ind.Code), "flash.indicator_created", ind.Code)
	return nil
}

func (a *Area) editIndicatorForm(w http.ResponseWriter, r *http.Request) error {
	ind, err := a.store.Indicator(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return a.renderIndicatorForm(w, r, http.StatusOK, indicatorPageData{Form: indicatorFormOf(ind), Editing: true})
}

// updateIndicator saves the edit form; the code is the path's (editions,
// values and releases refer to it). A change of direction, unit or valid
// range of an indicator some edition uses is refused (409, nothing
// saved) until the form confirms it.
func (a *Area) updateIndicator(w http.ResponseWriter, r *http.Request) error {
	before, err := a.store.Indicator(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	f := indicatorFormFrom(r, before.Code)
	d := indicatorPageData{Form: f, Editing: true}
	ind, fp := a.indicatorOfForm(r, f)
	if len(fp.Problems) > 0 {
		d.formProblems = fp
		return a.renderIndicatorForm(w, r, http.StatusBadRequest, d)
	}
	if changes := catalogue.ScoringChanges(before, ind); len(changes) > 0 && r.PostFormValue("confirm") != "yes" {
		if d.Uses, err = a.editionUses(r, before.Code); err != nil {
			return err
		}
		if len(d.Uses) > 0 {
			d.Changes = changes
			return a.renderIndicatorForm(w, r, http.StatusConflict, d)
		}
	}
	err = a.catalogue.UpdateIndicator(r.Context(), web.ActorOf(r), ind)
	if status, fp, ok := a.indicatorRejection(r, err); ok {
		d.formProblems = fp
		return a.renderIndicatorForm(w, r, status, d)
	} else if err != nil {
		return err
	}
	a.calls.Invalidate()
	a.s.RedirectFlash(w, r, "/catalogue/"+url.PathEscape(ind.Code), "flash.indicator_saved", ind.Code)
	return nil
}
