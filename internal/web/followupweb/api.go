package followupweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// The studies API: the studies as the caller sees them (a visitor the
// public progress; the study's editors the evidence not public too) and
// one study with its milestones, through the same service calls as the
// pages. Statuses are derived at the platform's clock.

var (
	_ web.AreaAPI        = (*Area)(nil)
	_ web.AreaSchemaDocs = (*Area)(nil)
)

// apiPages bound the studies API's lists.
var apiPages = web.PageLimits{Default: 50, Max: 200}

func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/followup/studies", web.AccessPublic, a.apiStudies)
	s.API("GET /api/v1/followup/studies/{id}", web.AccessPublic, a.apiStudy)
}

// studiesBody is a page of the studies.
type studiesBody struct {
	Studies []studyItem `json:"studies"`
	web.Paginated
}

// studyItem is a study's summary.
type studyItem struct {
	ID             int64  `json:"id"`
	Edition        string `json:"edition"`
	Award          string `json:"award"`
	Title          string `json:"title"`
	Organisation   string `json:"organisation"`
	Country        string `json:"country"`
	HostCity       string `json:"host_city"`
	HostCityName   string `json:"host_city_name"`
	Stage          string `json:"stage"`
	Modality       string `json:"modality"`
	Status         string `json:"status"`
	MilestonesDone int    `json:"milestones_done"`
	Milestones     int    `json:"milestones_total"`
	Editable       bool   `json:"editable"`
	Page           string `json:"page"`
}

// studyBody is one study with its partners and milestones.
type studyBody struct {
	Study      studyItem       `json:"study"`
	Partners   []partnerItem   `json:"partners"`
	Milestones []milestoneItem `json:"milestones"`
}

// partnerItem is a partner of a study.
type partnerItem struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	CityCode string `json:"city_code"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// milestoneItem is a milestone with its derived status and the evidence
// the caller sees.
type milestoneItem struct {
	ID             int64          `json:"id"`
	Seq            int            `json:"seq"`
	Title          string         `json:"title"`
	TitleKO        string         `json:"title_ko"`
	Due            string         `json:"due"`
	Status         string         `json:"status"`
	Deliverables   string         `json:"deliverables"`
	DeliverablesKO string         `json:"deliverables_ko"`
	DoneAt         *time.Time     `json:"done_at"`
	Evidence       []evidenceItem `json:"evidence"`
}

// evidenceItem is a file, a link or a measured indicator.
type evidenceItem struct {
	ID        int64    `json:"id"`
	Kind      string   `json:"kind"`
	Label     string   `json:"label"`
	Public    bool     `json:"public"`
	URL       string   `json:"url"`
	FileType  string   `json:"file_type"`
	FileSize  *int64   `json:"file_size"`
	Indicator string   `json:"indicator"`
	Unit      string   `json:"unit"`
	Before    *float64 `json:"before"`
	After     *float64 `json:"after"`
}

func (a *Area) item(st *followup.Study, editable bool, now time.Time) studyItem {
	done, total := followup.Progress(st)
	return studyItem{ID: st.ID, Edition: st.Edition, Award: st.Award, Title: st.Title, Organisation: st.Organisation, Country: st.Country,
		HostCity: st.HostCity, HostCityName: st.HostCityName, Stage: st.Stage, Modality: st.Modality, Status: followup.StudyStatus(st, now),
		MilestonesDone: done, Milestones: total, Editable: editable, Page: "/followup/studies/" + strconv.FormatInt(st.ID, 10)}
}

func (a *Area) apiStudies(w http.ResponseWriter, r *http.Request) error {
	offset, limit, err := web.PageQuery(r.URL.Query(), apiPages)
	if err != nil {
		return err
	}
	v := viewer(r)
	all, err := a.svc.List(r.Context(), v, "")
	if err != nil {
		return err
	}
	page, next := web.PageOf(w, r, all, offset, limit)
	now := a.svc.Time()
	out := studiesBody{Studies: []studyItem{}, Paginated: web.Paginated{NextCursor: next}}
	for _, st := range page {
		out.Studies = append(out.Studies, a.item(st, followup.CanEdit(st, v), now))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *Area) apiStudy(w http.ResponseWriter, r *http.Request) error {
	id, err := studyID(r)
	if err != nil {
		return err
	}
	st, editable, err := a.svc.Get(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	now := a.svc.Time()
	out := studyBody{Study: a.item(st, editable, now), Partners: []partnerItem{}, Milestones: []milestoneItem{}}
	for _, p := range st.Partners {
		out.Partners = append(out.Partners, partnerItem{ID: p.ID, Kind: p.Kind, CityCode: p.CityCode, Name: p.Name, Role: p.Role})
	}
	for _, m := range st.Milestones {
		mi := milestoneItem{ID: m.ID, Seq: m.Seq, Title: m.Title, TitleKO: m.TitleKO, Due: m.Due, Status: followup.MilestoneStatus(m, now),
			Deliverables: m.Deliverables, DeliverablesKO: m.DeliverablesKO, Evidence: []evidenceItem{}}
		if !m.DoneAt.IsZero() {
			at := m.DoneAt
			mi.DoneAt = &at
		}
		for _, e := range m.Evidence {
			ei := evidenceItem{ID: e.ID, Kind: e.Kind, Label: e.Label, Public: e.Public, Indicator: e.Indicator, Unit: e.Unit}
			switch e.Kind {
			case followup.EvidenceLink:
				ei.URL = e.URL
			case followup.EvidenceFile:
				size := e.FileSize
				ei.URL, ei.FileType, ei.FileSize = "/followup/files/"+e.FileID, e.FileType, &size
			case followup.EvidenceIndicator:
				before, after := e.Before, e.After
				ei.Before, ei.After = &before, &after
			}
			mi.Evidence = append(mi.Evidence, ei)
		}
		out.Milestones = append(out.Milestones, mi)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// APIOperations describe the studies API's routes.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/followup/studies", ID: "listFollowupStudies", Tag: "followup", Query: web.PageParams(apiPages),
			Summary:     "The winners' feasibility studies, by number, with their derived status and progress",
			Description: "Every study is listed; editable says whether the caller edits it (the host city's focal point, a partner, the secretariat). Statuses are derived from the due dates at the time of the call.",
			Status:      200, Response: studiesBody{}, Errors: []int{400}},
		{Method: "GET", Path: "/api/v1/followup/studies/{id}", ID: "getFollowupStudy", Tag: "followup",
			PathParams: map[string]string{"id": "the study's number"},
			Summary:    "One study with its partners and milestones, and the evidence the caller sees",
			Description: "A visitor and anyone who does not edit the study see its public evidence only; its editors see every piece. " +
				"A file's url is its download address, access-checked on each download.",
			Status: 200, Response: studyBody{}, Errors: []int{404}},
	}
}

// APISchemaDocs document the studies API's bodies.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	statuses := web.Enum(followup.Statuses...)
	return web.SchemaDocs{
		"followupweb.studiesBody":                   {Description: "A page of the studies."},
		"followupweb.studiesBody.studies":           {Description: "the studies of this page, by number"},
		"followupweb.studyItem":                     {Description: "A winning project's feasibility study."},
		"followupweb.studyItem.id":                  {Description: "the study's number"},
		"followupweb.studyItem.edition":             {Description: "the prize edition whose winner it is, e.g. 2025"},
		"followupweb.studyItem.award":               {Description: "the project's award, e.g. winner"},
		"followupweb.studyItem.title":               {Description: "the project's title"},
		"followupweb.studyItem.organisation":        {Description: "the applicant's organisation"},
		"followupweb.studyItem.country":             {Description: "the project's country (ISO 3166-1 code)"},
		"followupweb.studyItem.host_city":           {Description: "the host member city's code (empty when the project's city is not a member)"},
		"followupweb.studyItem.host_city_name":      {Description: "the host city's name"},
		"followupweb.studyItem.stage":               {Description: "the project's development stage (empty when not given)", Enum: append(web.Enum(prize.Stages...), "")},
		"followupweb.studyItem.modality":            {Description: "the study's modality", Enum: web.Enum(followup.Modalities...)},
		"followupweb.studyItem.status":              {Description: "the study's status, derived from its milestones now", Enum: statuses},
		"followupweb.studyItem.milestones_done":     {Description: "milestones done", Minimum: web.Min(0)},
		"followupweb.studyItem.milestones_total":    {Description: "milestones planned", Minimum: web.Min(0)},
		"followupweb.studyItem.editable":            {Description: "the caller edits the study"},
		"followupweb.studyItem.page":                {Description: "the study's progress page, a path"},
		"followupweb.studyBody":                     {Description: "One study with its partners and milestones."},
		"followupweb.studyBody.study":               {Description: "the study"},
		"followupweb.studyBody.partners":            {Description: "its partner cities and organisations"},
		"followupweb.studyBody.milestones":          {Description: "its milestones, in plan order"},
		"followupweb.partnerItem":                   {Description: "A partner city or organisation of a study."},
		"followupweb.partnerItem.id":                {Description: "the partner's number"},
		"followupweb.partnerItem.kind":              {Description: "a member city or an organisation", Enum: web.Enum(followup.PartnerCity, followup.PartnerOrganisation)},
		"followupweb.partnerItem.city_code":         {Description: "a partner city's code (empty for an organisation)"},
		"followupweb.partnerItem.name":              {Description: "the partner's name"},
		"followupweb.partnerItem.role":              {Description: "the partner's role", Enum: web.Enum(followup.PartnerRoles...)},
		"followupweb.milestoneItem":                 {Description: "A step of a study's plan."},
		"followupweb.milestoneItem.id":              {Description: "the milestone's number"},
		"followupweb.milestoneItem.seq":             {Description: "its place in the plan, from 1", Minimum: web.Min(1)},
		"followupweb.milestoneItem.title":           {Description: "its title in English"},
		"followupweb.milestoneItem.title_ko":        {Description: "its title in Korean (empty when none)"},
		"followupweb.milestoneItem.due":             {Description: "its due date (YYYY-MM-DD)"},
		"followupweb.milestoneItem.status":          {Description: "reported done, else late once the due date has passed, else as reported", Enum: statuses},
		"followupweb.milestoneItem.deliverables":    {Description: "what it delivers, in English"},
		"followupweb.milestoneItem.deliverables_ko": {Description: "what it delivers, in Korean (empty when none)"},
		"followupweb.milestoneItem.done_at":         {Description: "when it was reported done (null: not done)"},
		"followupweb.milestoneItem.evidence":        {Description: "its evidence that the caller sees"},
		"followupweb.evidenceItem":                  {Description: "A file, a link or a measured indicator of a milestone."},
		"followupweb.evidenceItem.id":               {Description: "the evidence's number"},
		"followupweb.evidenceItem.kind":             {Description: "what it is", Enum: web.Enum(followup.EvidenceFile, followup.EvidenceLink, followup.EvidenceIndicator)},
		"followupweb.evidenceItem.label":            {Description: "its label"},
		"followupweb.evidenceItem.public":           {Description: "shown to everyone (else to the study's editors only)"},
		"followupweb.evidenceItem.url":              {Description: "a link's address, or a file's download path (empty for an indicator)"},
		"followupweb.evidenceItem.file_type":        {Description: "a file's type, from its content (empty for other kinds)"},
		"followupweb.evidenceItem.file_size":        {Description: "a file's size in bytes (null for other kinds)", Minimum: web.Min(0)},
		"followupweb.evidenceItem.indicator":        {Description: "a measured indicator's catalogue indicator or survey item code (empty: none)"},
		"followupweb.evidenceItem.unit":             {Description: "a measured indicator's unit"},
		"followupweb.evidenceItem.before":           {Description: "a measured indicator's value before (null for other kinds)"},
		"followupweb.evidenceItem.after":            {Description: "a measured indicator's value after (null for other kinds)"},
	}
}
