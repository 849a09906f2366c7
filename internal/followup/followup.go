// Package followup follows the Seoul Smart City Prize's winners after the
// ceremony: one feasibility study per winning project (optionally per
// finalist), opened when the winners are announced, with its modality
// suggested by the project's development stage, its host city, partners,
// budget, milestones from the modality's template, evidence per milestone,
// statuses derived from the due dates, risks, the secretariat's review and
// go / no-go decision, and a final report. Reminders lists the milestones
// people must act on; the notifications part sends them.
package followup

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/prize"
)

// Modalities of a study.
const (
	ModalityPilot      = "pilot_programme"             // concept or planned projects
	ModalityDemo       = "collaborative_demonstration" // pilot or ongoing projects, with the host city
	ModalityTriangular = "triangular_cooperation"      // scaled projects, transferred to a third city or partner
)

// Modalities lists the modalities in their order.
var Modalities = []string{ModalityPilot, ModalityDemo, ModalityTriangular}

// SuggestModality is the modality the project's development stage
// suggests: concept or planned, a pilot programme; pilot or ongoing, a
// collaborative demonstration with the host city; scaled, triangular
// cooperation. An unknown or missing stage suggests a pilot programme
// (the study then starts from the beginning).
func SuggestModality(stage string) string {
	switch stage {
	case prize.StagePilot, prize.StageOngoing:
		return ModalityDemo
	case prize.StageScaled:
		return ModalityTriangular
	}
	return ModalityPilot
}

// Statuses of a milestone and of a study. Late is never reported: it is
// derived when a due date has passed and the milestone is not done.
const (
	StatusOnTrack = "on_track"
	StatusAtRisk  = "at_risk"
	StatusLate    = "late"
	StatusDone    = "done"
)

// Statuses lists the statuses in their order.
var Statuses = []string{StatusOnTrack, StatusAtRisk, StatusLate, StatusDone}

// ReportedStatuses are the statuses people report.
var ReportedStatuses = []string{StatusOnTrack, StatusAtRisk, StatusDone}

// Decisions of the secretariat's go / no-go review.
const (
	DecisionGo   = "go"
	DecisionNoGo = "no_go"
)

// Partner kinds and roles.
const (
	PartnerCity         = "city"
	PartnerOrganisation = "organisation"
)

// PartnerRoles are the roles a partner takes.
var PartnerRoles = []string{"project_owner", "partner_city", "partner_company", "funder", "research", "other"}

// Evidence kinds.
const (
	EvidenceFile      = "file"
	EvidenceLink      = "link"
	EvidenceIndicator = "indicator"
)

// Bounds of what people enter.
const (
	MaxText        = 4000     // a free text (risks, deliverables, a reason)
	MaxReport      = 20000    // the final report
	MaxTitle       = 200      // a title, a name, a label
	MaxBudget      = 1e12     // a budget's amount, in whole units of its currency
	MaxValue       = 1e15     // an indicator's value, in absolute terms
	MaxPartners    = 30       // per study
	MaxMilestones  = 40       // per study
	MaxEvidence    = 50       // per milestone
	MaxStudyBytes  = 80 << 20 // all the evidence files of one study
	DateLayout     = "2006-01-02"
	minYear        = 2000
	maxYear        = 2100
	maxURL         = 2000
	maxIndicatorID = 64
)

// Study is a winning project's feasibility study.
type Study struct {
	ID             int64       `json:"id"`
	Edition        string      `json:"edition"` // the prize edition whose winner it is
	AppID          int64       `json:"app_id"`
	Award          string      `json:"award"` // winner, finalist ...
	Grade          string      `json:"grade"`
	Title          string      `json:"title"`
	Organisation   string      `json:"organisation"`
	Country        string      `json:"country"`
	Stage          string      `json:"stage"` // the application's development stage
	Modality       string      `json:"modality"`
	ModalityReason string      `json:"modality_reason"` // the secretariat's reason for a change, "" as suggested
	HostCity       string      `json:"host_city"`       // a member city's code, "" when the project's city is not a member
	HostCityName   string      `json:"host_city_name"`
	OwnerUserID    int64       `json:"owner_user_id"`
	Currency       string      `json:"currency"`
	Budget         int64       `json:"budget"`   // whole units of Currency
	Reported       string      `json:"reported"` // on_track or at_risk as the editors report it
	Risks          string      `json:"risks"`
	Decision       string      `json:"decision"` // go, no_go, "" undecided
	DecisionReason string      `json:"decision_reason"`
	Review         string      `json:"review"` // the secretariat's review note
	ReviewedAt     time.Time   `json:"reviewed_at"`
	FinalReport    string      `json:"final_report"`
	Demo           bool        `json:"demo,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	Partners       []Partner   `json:"partners"`
	Milestones     []Milestone `json:"milestones"`
}

// Partner is a partner city or organisation of a study with its role;
// UserID, when set, is the account that edits the study for it.
type Partner struct {
	ID       int64  `json:"id"`
	StudyID  int64  `json:"study_id"`
	Kind     string `json:"kind"`
	CityCode string `json:"city_code"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	UserID   int64  `json:"user_id"`
}

// Milestone is a step of a study's plan.
type Milestone struct {
	ID             int64      `json:"id"`
	StudyID        int64      `json:"study_id"`
	Seq            int        `json:"seq"`
	Title          string     `json:"title"`
	TitleKO        string     `json:"title_ko"`
	Due            string     `json:"due"` // YYYY-MM-DD
	OwnerUserID    int64      `json:"owner_user_id"`
	Deliverables   string     `json:"deliverables"`
	DeliverablesKO string     `json:"deliverables_ko"`
	Reported       string     `json:"reported"` // on_track, at_risk or done as reported
	DoneAt         time.Time  `json:"done_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Evidence       []Evidence `json:"evidence"`
}

// Evidence is a file, a link or a measured indicator of a milestone.
type Evidence struct {
	ID          int64     `json:"id"`
	StudyID     int64     `json:"study_id"`
	MilestoneID int64     `json:"milestone_id"`
	Kind        string    `json:"kind"`
	Label       string    `json:"label"`
	Public      bool      `json:"public"`
	URL         string    `json:"url,omitempty"`
	FileID      string    `json:"file_id,omitempty"`
	FileName    string    `json:"file_name,omitempty"`
	FileType    string    `json:"file_type,omitempty"`
	FileSize    int64     `json:"file_size,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	Indicator   string    `json:"indicator,omitempty"` // a catalogue indicator's code or a survey item of the host city, optional
	Unit        string    `json:"unit,omitempty"`
	Before      float64   `json:"before"`
	After       float64   `json:"after"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Change is the after value's change over the before value.
func (e Evidence) Change() float64 { return e.After - e.Before }

// ParseDate reads a due date, naming field when it is not one.
func ParseDate(field, s string) (time.Time, *citylens.Problem) {
	d, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		p := citylens.Problem{Field: field}.Keyed("followup.error.date", "%q is not a date (YYYY-MM-DD)", s)
		return d, &p
	}
	if d.Year() < minYear || d.Year() > maxYear {
		p := citylens.Problem{Field: field}.Keyed("followup.error.date_range", "%s is outside the years %d–%d", s, minYear, maxYear)
		return d, &p
	}
	return d, nil
}

// Today is now's date in UTC, as due dates are written.
func Today(now time.Time) string { return now.UTC().Format(DateLayout) }

// MilestoneStatus is a milestone's status at now: done when reported
// done; late when its due date has passed; else as reported (at risk or
// on track).
func MilestoneStatus(m Milestone, now time.Time) string {
	if m.Reported == StatusDone {
		return StatusDone
	}
	if m.Due != "" && m.Due < Today(now) {
		return StatusLate
	}
	if m.Reported == StatusAtRisk {
		return StatusAtRisk
	}
	return StatusOnTrack
}

// StudyStatus is a study's status at now: done when it has milestones
// and all are done; late when one is late; at risk when one is, or when
// its editors report it so; else on track.
func StudyStatus(s *Study, now time.Time) string {
	done, late, risk := 0, false, s.Reported == StatusAtRisk
	for _, m := range s.Milestones {
		switch MilestoneStatus(m, now) {
		case StatusDone:
			done++
		case StatusLate:
			late = true
		case StatusAtRisk:
			risk = true
		}
	}
	switch {
	case len(s.Milestones) > 0 && done == len(s.Milestones):
		return StatusDone
	case late:
		return StatusLate
	case risk:
		return StatusAtRisk
	}
	return StatusOnTrack
}

// Progress is the count of a study's milestones done.
func Progress(s *Study) (done, total int) {
	for _, m := range s.Milestones {
		if m.Reported == StatusDone {
			done++
		}
	}
	return done, len(s.Milestones)
}

// Template is a milestone of a modality's plan: due Days after the study
// opens.
type Template struct {
	Title, TitleKO               string
	Days                         int
	Deliverables, DeliverablesKO string
}

// Templates are the milestone plans of each modality.
var Templates = map[string][]Template{
	ModalityPilot: {
		{"Baseline and pilot design", "기준선 측정 및 시범 설계", 60, "Baseline measurements; pilot design with its indicators", "기준선 측정, 지표를 포함한 시범 설계"},
		{"Pilot launch", "시범 운영 개시", 150, "The pilot running in the host city; its users' first figures", "개최 도시에서 시범 운영, 이용자 첫 수치"},
		{"Mid-term measurement", "중간 측정", 240, "The indicators measured against the baseline", "기준선 대비 지표 측정"},
		{"Evaluation and final report", "평가 및 최종 보고", 330, "The evaluation, a go / no-go recommendation and the final report", "평가, 추진 여부 권고 및 최종 보고서"},
	},
	ModalityDemo: {
		{"Joint work plan with the host city", "개최 도시와 공동 작업 계획", 45, "The work plan signed by the host city and the partners", "개최 도시와 협력 기관이 서명한 작업 계획"},
		{"Demonstration site ready", "시연 현장 준비", 120, "The site, its data and its permits", "현장, 데이터 및 인허가"},
		{"Demonstration run and measurement", "시연 및 측정", 240, "The demonstration's results against the baseline", "기준선 대비 시연 결과"},
		{"Joint evaluation and final report", "공동 평가 및 최종 보고", 330, "The joint evaluation and the final report", "공동 평가 및 최종 보고서"},
	},
	ModalityTriangular: {
		{"Third city and funder agreed", "제3 도시 및 재원 확정", 60, "The agreement of the receiving city, the funder and the project owner", "수혜 도시, 재원 제공 기관, 프로젝트 주관 기관의 합의"},
		{"Transfer and adaptation plan", "이전 및 적응 계획", 150, "The adaptation to the receiving city's context", "수혜 도시 여건에 맞춘 적응"},
		{"Implementation in the receiving city", "수혜 도시에서의 실행", 270, "The implementation and its first figures", "실행 및 첫 수치"},
		{"Results and final report", "성과 및 최종 보고", 360, "The results in both cities and the final report", "두 도시의 성과 및 최종 보고서"},
	},
}

// PlanFor is modality's milestones from its template, due from start.
func PlanFor(modality string, start time.Time) []Milestone {
	var out []Milestone
	for i, t := range Templates[modality] {
		out = append(out, Milestone{Seq: i + 1, Title: t.Title, TitleKO: t.TitleKO, Due: start.UTC().AddDate(0, 0, t.Days).Format(DateLayout),
			Deliverables: t.Deliverables, DeliverablesKO: t.DeliverablesKO, Reported: StatusOnTrack})
	}
	return out
}

var (
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	codeRe     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
)

func invalid(ps []citylens.Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return citylens.Ef(citylens.EINVALID, "followup.error.invalid", "nothing was saved: correct the fields named below").WithProblems(ps...)
}

func textProblem(field, s string, max int) *citylens.Problem {
	if !utf8.ValidString(s) {
		p := citylens.Problem{Field: field}.Keyed("followup.error.utf8", "the text is not valid UTF-8")
		return &p
	}
	if n := utf8.RuneCountInString(s); n > max {
		p := citylens.Problem{Field: field}.Keyed("followup.error.long", "%d characters, at most %d", n, max)
		return &p
	}
	return nil
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// BudgetProblems checks a budget: a three-letter currency code and an
// amount between 0 and MaxBudget.
func BudgetProblems(currency string, amount float64) []citylens.Problem {
	var ps []citylens.Problem
	if !currencyRe.MatchString(currency) {
		ps = append(ps, citylens.Problem{Field: "currency"}.Keyed("followup.error.currency", "%q is not a currency code (three capital letters, e.g. KRW)", currency))
	}
	if math.IsNaN(amount) || amount < 0 || amount > MaxBudget || amount != math.Trunc(amount) {
		ps = append(ps, citylens.Problem{Field: "budget"}.Keyed("followup.error.budget", "%s is not a budget: a whole amount from 0 to 1,000,000,000,000", fmtNum(amount)))
	}
	return ps
}

func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "not a number"
	}
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
}

// Validate checks a study's own fields.
func (s *Study) Validate() error {
	ps := BudgetProblems(s.Currency, float64(s.Budget))
	if !oneOf(s.Modality, Modalities) {
		ps = append(ps, citylens.Problem{Field: "modality"}.Keyed("followup.error.modality", "%q is not a modality", s.Modality))
	}
	if s.Reported != StatusOnTrack && s.Reported != StatusAtRisk {
		ps = append(ps, citylens.Problem{Field: "status"}.Keyed("followup.error.status", "%q is not a status to report", s.Reported))
	}
	if s.Decision != "" && s.Decision != DecisionGo && s.Decision != DecisionNoGo {
		ps = append(ps, citylens.Problem{Field: "decision"}.Keyed("followup.error.decision", "%q is not go or no_go", s.Decision))
	}
	if s.Decision != "" && strings.TrimSpace(s.DecisionReason) == "" {
		ps = append(ps, citylens.Problem{Field: "decision_reason"}.Keyed("followup.error.reason", "give the reason"))
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"risks", s.Risks, MaxText}, {"decision_reason", s.DecisionReason, MaxText}, {"review", s.Review, MaxText},
		{"modality_reason", s.ModalityReason, MaxText}, {"final_report", s.FinalReport, MaxReport}} {
		if p := textProblem(f.field, f.v, f.max); p != nil {
			ps = append(ps, *p)
		}
	}
	return invalid(ps)
}

// Validate checks a milestone.
func (m *Milestone) Validate() error {
	var ps []citylens.Problem
	if strings.TrimSpace(m.Title) == "" {
		ps = append(ps, citylens.Problem{Field: "title"}.Keyed("followup.error.required", "required"))
	}
	if _, p := ParseDate("due", m.Due); p != nil {
		ps = append(ps, *p)
	}
	if !oneOf(m.Reported, ReportedStatuses) {
		ps = append(ps, citylens.Problem{Field: "status"}.Keyed("followup.error.status", "%q is not a status to report", m.Reported))
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"title", m.Title, MaxTitle}, {"title_ko", m.TitleKO, MaxTitle}, {"deliverables", m.Deliverables, MaxText}, {"deliverables_ko", m.DeliverablesKO, MaxText}} {
		if p := textProblem(f.field, f.v, f.max); p != nil {
			ps = append(ps, *p)
		}
	}
	return invalid(ps)
}

// Validate checks a partner.
func (p *Partner) Validate() error {
	var ps []citylens.Problem
	if p.Kind != PartnerCity && p.Kind != PartnerOrganisation {
		ps = append(ps, citylens.Problem{Field: "kind"}.Keyed("followup.error.partner_kind", "%q is not city or organisation", p.Kind))
	}
	if strings.TrimSpace(p.Name) == "" {
		ps = append(ps, citylens.Problem{Field: "name"}.Keyed("followup.error.required", "required"))
	}
	if pr := textProblem("name", p.Name, MaxTitle); pr != nil {
		ps = append(ps, *pr)
	}
	if !oneOf(p.Role, PartnerRoles) {
		ps = append(ps, citylens.Problem{Field: "role"}.Keyed("followup.error.role", "%q is not a partner's role", p.Role))
	}
	return invalid(ps)
}

// Validate checks evidence other than its file's bytes.
func (e *Evidence) Validate() error {
	var ps []citylens.Problem
	if pr := textProblem("label", e.Label, MaxTitle); pr != nil {
		ps = append(ps, *pr)
	}
	switch e.Kind {
	case EvidenceFile:
	case EvidenceLink:
		u := strings.TrimSpace(e.URL)
		if (!strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://")) || len(u) > maxURL || strings.ContainsAny(u, " \t\r\n\"<>") {
			ps = append(ps, citylens.Problem{Field: "url"}.Keyed("followup.error.url", "give an http(s) address"))
		}
	case EvidenceIndicator:
		if strings.TrimSpace(e.Label) == "" && e.Indicator == "" {
			ps = append(ps, citylens.Problem{Field: "label"}.Keyed("followup.error.required", "required"))
		}
		if e.Indicator != "" && (len(e.Indicator) > maxIndicatorID || !codeRe.MatchString(e.Indicator)) {
			ps = append(ps, citylens.Problem{Field: "indicator"}.Keyed("followup.error.indicator", "%q is not an indicator's code", e.Indicator))
		}
		if pr := textProblem("unit", e.Unit, 40); pr != nil {
			ps = append(ps, *pr)
		}
		for _, f := range []struct {
			field string
			v     float64
		}{{"before", e.Before}, {"after", e.After}} {
			if math.IsNaN(f.v) || math.IsInf(f.v, 0) || math.Abs(f.v) > MaxValue {
				ps = append(ps, citylens.Problem{Field: f.field}.Keyed("followup.error.value", "not a measured value"))
			}
		}
	default:
		ps = append(ps, citylens.Problem{Field: "kind"}.Keyed("followup.error.evidence_kind", "%q is not file, link or indicator", e.Kind))
	}
	return invalid(ps)
}
