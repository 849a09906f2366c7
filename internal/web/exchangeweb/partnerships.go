package exchangeweb

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// The partnerships' pages: the list (members-only partnerships for
// members only), a partnership's page with its activities, agreement and
// status, and the forms of the secretariat and the focal points of the
// partnership's cities. The public map is the explorer's (/partnerships).

// WithPartnerships adds the partnerships' pages to the area.
func (a *Area) WithPartnerships(p *exchange.PartnershipService) *Area {
	a.partners = p
	return a
}

func (a *Area) registerPartnerships(s *web.Server) {
	s.Page("GET /exchange/partnerships", web.AccessPublic, a.partnershipsPage)
	s.Page("GET /exchange/partnerships/new", AccessAuthors, a.newPartnershipPage)
	s.Page("POST /exchange/partnerships", AccessAuthors, a.createPartnership)
	s.Page("GET /exchange/partnerships/{id}", web.AccessPublic, a.partnershipPage)
	s.Page("GET /exchange/partnerships/{id}/edit", AccessAuthors, a.editPartnershipPage)
	s.Page("POST /exchange/partnerships/{id}", AccessAuthors, a.updatePartnership)
	s.Page("POST /exchange/partnerships/{id}/status", AccessAuthors, a.partnershipStatus)
	s.Page("POST /exchange/partnerships/{id}/activities", AccessAuthors, a.addActivity)
	s.Page("POST /exchange/partnerships/{id}/agreement", AccessAuthors, a.uploadAgreement,
		web.WithMaxBody(exchange.MaxAgreementBytes+1<<20), web.StreamsUpload())
	s.Page("GET /exchange/partnerships/{id}/agreement", web.AccessPublic, a.downloadAgreement)
}

// partyNames names the cities and partner organisations of partnerships
// in the reader's language, reading each once.
type partyNames struct {
	a     *Area
	ctx   context.Context
	lang  string
	names map[string]string
}

func (a *Area) names(r *http.Request) *partyNames {
	return &partyNames{a: a, ctx: r.Context(), lang: string(web.ReaderLang(r)), names: map[string]string{}}
}

func (n *partyNames) city(code string) string {
	if code == "" {
		return ""
	}
	if s, ok := n.names["c:"+code]; ok {
		return s
	}
	s := code
	if c, err := n.a.partners.Directory.City(n.ctx, code); err == nil {
		s = c.NameIn(n.lang)
	}
	n.names["c:"+code] = s
	return s
}

func (n *partyNames) partner(code string) string {
	if code == "" {
		return ""
	}
	if s, ok := n.names["p:"+code]; ok {
		return s
	}
	s := code
	if p, err := n.a.partners.Directory.Partner(n.ctx, code); err == nil {
		s = p.Name
	}
	n.names["p:"+code] = s
	return s
}

// partnershipRow is a partnership as the pages show it.
type partnershipRow struct {
	P              *exchange.Partnership
	Href           string
	Title, Summary string
	A, B           string // the parties' names (B: the second city or the partner)
	BHref          string
	Themes         string
}

func (a *Area) row(n *partyNames, p *exchange.Partnership) partnershipRow {
	r := partnershipRow{P: p, Href: "/exchange/partnerships/" + strconv.FormatInt(p.ID, 10), Title: p.TitleIn(n.lang),
		Summary: p.SummaryIn(n.lang), A: n.city(p.CityA), Themes: strings.Join(p.Themes, ", ")}
	if p.CityB != "" {
		r.B, r.BHref = n.city(p.CityB), "/cities/"+url.PathEscape(p.CityB)
	} else {
		r.B = n.partner(p.Partner)
	}
	return r
}

func (a *Area) partnershipsPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	q := r.URL.Query()
	f := exchange.PartnershipFilter{Status: q.Get("status")}
	if c := strings.TrimSpace(q.Get("city")); c != "" && len(c) <= 100 {
		f.Cities = []string{c}
	}
	ps, err := a.partners.List(r.Context(), v, f)
	if err != nil {
		return err
	}
	n := a.names(r)
	rows := make([]partnershipRow, len(ps))
	for i, p := range ps {
		rows[i] = a.row(n, p)
	}
	return a.s.Render(w, r, "exchange_partnerships.html", map[string]any{"Rows": rows, "Statuses": exchange.PartnershipStatuses,
		"Status": f.Status, "CanAdd": v.Admin || v.City != "", "Member": v.Member})
}

func partnershipID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, citylens.Ef(citylens.ENOTFOUND, "partnership.error.notfound", "Partnership %d not found.", id)
	}
	return id, nil
}

// problems words err's message and problems for a form.
func (a *Area) problems(r *http.Request, err error) (string, []string) {
	msg := a.s.Message(web.ReaderLang(r), err)
	var out []string
	if ce := citylens.AsError(err); ce != nil {
		for _, p := range ce.Problems {
			reason := p.Reason
			if p.Key != "" {
				reason = a.s.T(r, p.Key, p.Args...)
			}
			out = append(out, a.s.T(r, "partnership.field."+p.Field)+": "+reason)
		}
	}
	return msg, out
}

// partnershipView renders partnership id's page, with err's message when
// a change was refused (status 422 or err's own).
func (a *Area) partnershipView(w http.ResponseWriter, r *http.Request, id int64, refused error) error {
	v := viewer(r)
	p, err := a.partners.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	n := a.names(r)
	d := map[string]any{"Row": a.row(n, p), "P": p, "CanEdit": exchange.CanEditPartnership(v, p),
		"Next": exchange.NextStatuses(p.Status), "Kinds": exchange.ActivityKinds}
	if p.CaseID != 0 {
		if c, err := a.svc.Get(r.Context(), v, p.CaseID); err == nil {
			d["Case"] = c
		}
	}
	if refused == nil {
		return a.s.Render(w, r, "exchange_partnership.html", d)
	}
	switch citylens.ErrorCode(refused) {
	case citylens.EINVALID, citylens.ECONFLICT, citylens.EUNSUPPORTED, citylens.ETOOLARGE:
	default:
		return refused
	}
	d["Message"], d["Problems"] = a.problems(r, refused)
	status := http.StatusUnprocessableEntity
	switch citylens.ErrorCode(refused) {
	case citylens.ECONFLICT:
		status = http.StatusConflict
	case citylens.EUNSUPPORTED:
		status = http.StatusUnsupportedMediaType
	case citylens.ETOOLARGE:
		status = http.StatusRequestEntityTooLarge
	}
	return a.s.RenderStatus(w, r, status, "exchange_partnership.html", d)
}

func (a *Area) partnershipPage(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	return a.partnershipView(w, r, id, nil)
}

// partnershipForm is the form of a new or changed partnership.
type partnershipForm struct {
	P        *exchange.Partnership
	Themes   string
	Action   string
	Admin    bool
	City     string // a focal point's own city
	Message  string
	Problems []string
}

func (a *Area) renderPartnershipForm(w http.ResponseWriter, r *http.Request, status int, p *exchange.Partnership, err error) error {
	v := viewer(r)
	d := partnershipForm{P: p, Themes: strings.Join(p.Themes, ", "), Action: "/exchange/partnerships", Admin: v.Admin, City: v.City}
	if p.ID != 0 {
		d.Action += "/" + strconv.FormatInt(p.ID, 10)
	}
	if err != nil {
		d.Message, d.Problems = a.problems(r, err)
	}
	return a.s.RenderStatus(w, r, status, "exchange_partnership_form.html", d)
}

func (a *Area) newPartnershipPage(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	return a.renderPartnershipForm(w, r, http.StatusOK, &exchange.Partnership{CityA: v.City, Visibility: exchange.Public}, nil)
}

func (a *Area) editPartnershipPage(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	v := viewer(r)
	p, err := a.partners.Get(r.Context(), v, id)
	if err != nil {
		return err
	}
	if !exchange.CanEditPartnership(v, p) {
		return citylens.Ef(citylens.EFORBIDDEN, "partnership.error.forbidden", "Only the secretariat and the focal points of a partnership's cities change it.")
	}
	return a.renderPartnershipForm(w, r, http.StatusOK, p, nil)
}

func partnershipOfForm(r *http.Request) *exchange.Partnership {
	f := r.PostFormValue
	return &exchange.Partnership{CityA: f("city_a"), CityB: f("city_b"), Partner: f("partner"), Title: f("title"), TitleKO: f("title_ko"),
		Summary: f("summary"), SummaryKO: f("summary_ko"), Themes: splitTags(f("themes")), StartDate: f("start_date"),
		EndDate: f("end_date"), AgreementDate: f("agreement_date"), Outcomes: f("outcomes"), Visibility: f("visibility"),
		Status: exchange.StatusProposed}
}

func (a *Area) createPartnership(w http.ResponseWriter, r *http.Request) error {
	p := partnershipOfForm(r)
	if err := a.partners.Create(r.Context(), viewer(r), actor(r), p); err != nil {
		if citylens.ErrorCode(err) == citylens.EINVALID {
			return a.renderPartnershipForm(w, r, http.StatusUnprocessableEntity, p, err)
		}
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/partnerships/"+strconv.FormatInt(p.ID, 10), "flash.partnership.created")
	return nil
}

func (a *Area) updatePartnership(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	p := partnershipOfForm(r)
	p.ID = id
	if err := a.partners.Update(r.Context(), viewer(r), actor(r), p); err != nil {
		if citylens.ErrorCode(err) == citylens.EINVALID {
			return a.renderPartnershipForm(w, r, http.StatusUnprocessableEntity, p, err)
		}
		return err
	}
	a.s.RedirectFlash(w, r, "/exchange/partnerships/"+strconv.FormatInt(id, 10), "flash.partnership.saved")
	return nil
}

func (a *Area) partnershipStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	if _, err := a.partners.SetStatus(r.Context(), viewer(r), actor(r), id, r.PostFormValue("status")); err != nil {
		return a.partnershipView(w, r, id, err)
	}
	a.s.RedirectFlash(w, r, "/exchange/partnerships/"+strconv.FormatInt(id, 10), "flash.partnership.saved")
	return nil
}

func (a *Area) addActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	act := &exchange.Activity{Kind: f("kind"), Title: f("activity_title"), StartDate: f("activity_start"), EndDate: f("activity_end"), Report: f("report")}
	if err := a.partners.AddActivity(r.Context(), viewer(r), actor(r), id, act); err != nil {
		return a.partnershipView(w, r, id, err)
	}
	a.s.RedirectFlash(w, r, "/exchange/partnerships/"+strconv.FormatInt(id, 10)+"#activities", "flash.partnership.activity")
	return nil
}

// uploadAgreement stores the agreement file. The body is streamed (the
// route StreamsUpload): the service streams it into the store's staged
// file under the prize's file rules, kept as the prize's attachments are
// (by content beside SQLite, in chunk rows on PostgreSQL).
func (a *Area) uploadAgreement(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	var part *multipart.Part
	if up := web.UploadOf(r); up != nil {
		if part, err = up.NextFile(); err != nil {
			return err
		}
	}
	if part == nil || part.FormName() != "file" {
		return a.partnershipView(w, r, id, citylens.Ef(citylens.EINVALID, "partnership.error.invalid",
			"the partnership was not saved: correct the fields named below").
			WithProblems(citylens.Problem{Field: "file"}.Keyed("partnership.error.required", "required")))
	}
	if _, err := a.partners.SetAgreement(r.Context(), viewer(r), actor(r), id, r.PostFormValue("agreement_date"), part.FileName(), part); err != nil {
		return a.partnershipView(w, r, id, err)
	}
	a.s.RedirectFlash(w, r, "/exchange/partnerships/"+strconv.FormatInt(id, 10), "flash.partnership.agreement")
	return nil
}

// downloadAgreement streams the agreement file of a partnership the
// reader may see, as an attachment of its sniffed type.
func (a *Area) downloadAgreement(w http.ResponseWriter, r *http.Request) error {
	id, err := partnershipID(r)
	if err != nil {
		return err
	}
	return a.partners.WriteAgreement(r.Context(), viewer(r), id, func(f exchange.File) io.Writer {
		h := w.Header()
		h.Set("Content-Type", f.Type)
		h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(prize.CleanFileName(f.Name)))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "private, no-store")
		return w
	})
}

// casePartnership is the partnership a library case was made of, for its
// page (nil when none, or when the reader may not see it).
func (a *Area) casePartnership(r *http.Request, caseID int64) *partnershipRow {
	if a.partners == nil {
		return nil
	}
	p, err := a.partners.OfCase(r.Context(), viewer(r), caseID)
	if err != nil || p == nil {
		return nil
	}
	row := a.row(a.names(r), p)
	return &row
}
