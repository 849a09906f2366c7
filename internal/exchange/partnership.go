package exchange

import (
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// Partnerships (issue 16, item 4): records of city-to-city and city–partner
// organisation partnerships, with their agreement, activities, outcomes and
// status. Every partnership is also a case of the practice library (source
// "partnership"), kept in step with it.

// Statuses of a partnership.
const (
	StatusProposed  = "proposed"
	StatusActive    = "active"
	StatusCompleted = "completed"
	StatusLapsed    = "lapsed"
)

// PartnershipStatuses lists the statuses in display order.
var PartnershipStatuses = []string{StatusProposed, StatusActive, StatusCompleted, StatusLapsed}

// partnershipMoves are the valid status transitions: a proposal is taken
// up or lapses; an active partnership completes or lapses; a lapsed one
// may be revived. A completed partnership is final.
var partnershipMoves = map[string][]string{
	StatusProposed: {StatusActive, StatusLapsed},
	StatusActive:   {StatusCompleted, StatusLapsed},
	StatusLapsed:   {StatusActive},
}

// NextStatuses are the statuses a partnership in status may move to.
func NextStatuses(status string) []string { return partnershipMoves[status] }

// Kinds of activity of a partnership.
var ActivityKinds = []string{"study_visit", "workshop", "staff_exchange", "joint_project"}

// Bounds of a partnership.
const (
	MaxActivities      = 200
	MaxAgreementBytes  = prize.MaxAttachmentBytes
	MaxPartnershipList = 2000
	MaxCode            = 100 // a city's or partner's code
)

// File is a stored file of a partnership (its agreement).
type File struct {
	ID            string    `json:"id"`
	PartnershipID int64     `json:"partnership_id"`
	Name          string    `json:"name"`
	Type          string    `json:"type"`
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	CreatedAt     time.Time `json:"created_at"`
}

// Activity is one activity of a partnership: a study visit, a workshop, an
// exchange of staff or a joint project, with its dates and report.
type Activity struct {
	ID            int64     `json:"id"`
	PartnershipID int64     `json:"partnership_id"`
	Kind          string    `json:"kind"`
	Title         string    `json:"title"`
	StartDate     string    `json:"start_date"` // YYYY-MM-DD
	EndDate       string    `json:"end_date"`   // YYYY-MM-DD or ""
	Report        string    `json:"report"`
	CreatedBy     int64     `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
}

// Partnership is a partnership between two member cities (CityA, CityB)
// or between a member city and a partner organisation (CityA, Partner).
type Partnership struct {
	ID            int64      `json:"id"`
	CityA         string     `json:"city_a"`
	CityB         string     `json:"city_b"`  // a member city, or ""
	Partner       string     `json:"partner"` // a partner organisation's code when CityB is ""
	Title         string     `json:"title"`
	TitleKO       string     `json:"title_ko"`
	Summary       string     `json:"summary"`
	SummaryKO     string     `json:"summary_ko"`
	Themes        []string   `json:"themes"`
	StartDate     string     `json:"start_date"`
	EndDate       string     `json:"end_date"`
	Status        string     `json:"status"`
	AgreementDate string     `json:"agreement_date"` // the MoU's signature, YYYY-MM-DD or ""
	Agreement     *File      `json:"agreement,omitempty"`
	Outcomes      string     `json:"outcomes"`
	Visibility    string     `json:"visibility"`
	CaseID        int64      `json:"case_id"` // its case in the practice library
	Demo          bool       `json:"demo,omitempty"`
	Activities    []Activity `json:"activities"`
	CreatedBy     int64      `json:"-"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// TitleIn is the title in lang, falling back to English.
func (p *Partnership) TitleIn(lang string) string {
	if lang == "ko" && p.TitleKO != "" {
		return p.TitleKO
	}
	return p.Title
}

// SummaryIn is the summary in lang, falling back to English.
func (p *Partnership) SummaryIn(lang string) string {
	if lang == "ko" && p.SummaryKO != "" {
		return p.SummaryKO
	}
	return p.Summary
}

// Cities are the partnership's member cities.
func (p *Partnership) Cities() []string {
	if p.CityB == "" {
		return []string{p.CityA}
	}
	return []string{p.CityA, p.CityB}
}

// Involves reports whether city is one of the partnership's cities.
func (p *Partnership) Involves(city string) bool {
	return city != "" && (p.CityA == city || p.CityB == city)
}

// PartnershipFilter selects partnerships. Cities: those involving any of
// them (none: every partnership).
type PartnershipFilter struct {
	Cities     []string
	PublicOnly bool
	Status     string
}

// PartnershipStore is what partnerships need from the database. Methods
// join the transaction carried by ctx; missing records are ENOTFOUND.
type PartnershipStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreatePartnership(ctx context.Context, p *Partnership) error // sets p.ID
	UpdatePartnership(ctx context.Context, p *Partnership) error // every field but activities
	// Partnership reads one, with its activities (oldest first) and
	// agreement.
	Partnership(ctx context.Context, id int64) (*Partnership, error)
	PartnershipByCase(ctx context.Context, caseID int64) (*Partnership, error)
	// Partnerships lists those f selects, newest start first, with their
	// activities, at most MaxPartnershipList.
	Partnerships(ctx context.Context, f PartnershipFilter) ([]*Partnership, error)
	AddPartnershipActivity(ctx context.Context, a *Activity) error // sets a.ID
	// StageFile starts the file an upload streams into (outside the
	// database); AddPartnershipFile stores f's record with the bytes of t
	// (finished) in the transaction of ctx; ReleaseStaged ends t after the
	// transaction (the files of the prize and the follow-up alike).
	StageFile() (*blobs.Temp, error)
	AddPartnershipFile(ctx context.Context, f File, t *blobs.Temp) error
	ReleaseStaged(ctx context.Context, t *blobs.Temp, committed bool) error
	PartnershipFile(ctx context.Context, id string) (File, error)
	PartnershipFileChunks(ctx context.Context, id string, fn func([]byte) error) error
	DeletePartnershipFile(ctx context.Context, id string) error
}

// Partners is what partnerships read of the member directory.
type Partners interface {
	City(ctx context.Context, code string) (members.City, error)
	Partner(ctx context.Context, code string) (members.Partner, error)
}

// PartnershipService keeps the network's partnerships.
type PartnershipService struct {
	Store     PartnershipStore
	Library   *Service // each partnership's case
	Directory Partners
	Audit     auditlog.Store
	Now       func() time.Time

	mu       sync.Mutex
	onChange []func()
}

// OnChange registers fn to be called after each committed change of a
// partnership in this process (the explorer drops its snapshot, so its
// map and profiles show the change at once here; other replicas read it
// within their snapshot's lifetime).
func (s *PartnershipService) OnChange(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

// changed calls the OnChange functions when err is nil.
func (s *PartnershipService) changed(err error) error {
	if err != nil {
		return err
	}
	s.mu.Lock()
	fns := append([]func(){}, s.onChange...)
	s.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
	return nil
}

func (s *PartnershipService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *PartnershipService) record(ctx context.Context, actor auditlog.Actor, action string, id int64, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), actor, action, "exchange_partnership", strconv.FormatInt(id, 10), before, after)
}

func partnershipNotFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "partnership.error.notfound", "Partnership %d not found.", id)
}

func partnershipForbidden() error {
	return citylens.Ef(citylens.EFORBIDDEN, "partnership.error.forbidden", "Only the secretariat and the focal points of a partnership's cities change it.")
}

func partnershipInvalid(ps []citylens.Problem) error {
	return citylens.Ef(citylens.EINVALID, "partnership.error.invalid", "the partnership was not saved: correct the fields named below").WithProblems(ps...)
}

// CanEditPartnership reports whether v may change p: the secretariat, or
// the focal point of one of its cities.
func CanEditPartnership(v Viewer, p *Partnership) bool {
	return v.Admin || v.Member && p.Involves(v.City)
}

// canSee reports whether v may see p.
func canSee(v Viewer, p *Partnership) bool { return p.Visibility == Public || v.Member }

func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// Validate normalises p and checks its own fields (not the directory),
// naming each field at fault.
func (p *Partnership) Validate() []citylens.Problem {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	for _, f := range []*string{&p.CityA, &p.CityB, &p.Partner, &p.Title, &p.TitleKO, &p.Summary, &p.SummaryKO, &p.StartDate,
		&p.EndDate, &p.Status, &p.AgreementDate, &p.Outcomes, &p.Visibility} {
		*f = strings.TrimSpace(*f)
	}
	if p.Visibility == "" {
		p.Visibility = Public
	}
	if p.Status == "" {
		p.Status = StatusProposed
	}
	if p.CityA == "" {
		add("city_a", "partnership.error.required", "required")
	}
	switch {
	case p.CityB == "" && p.Partner == "":
		add("city_b", "partnership.error.other", "name a second member city or a partner organisation")
	case p.CityB != "" && p.Partner != "":
		add("partner", "partnership.error.other_one", "a partnership is with a second city or with a partner organisation, not both")
	case p.CityB != "" && p.CityB == p.CityA:
		add("city_b", "partnership.error.same_city", "a partnership is between two different cities")
	}
	for f, v := range map[string]string{"city_a": p.CityA, "city_b": p.CityB, "partner": p.Partner} {
		if len(v) > MaxCode {
			add(f, "partnership.error.too_long", "at most %d characters", MaxCode)
		}
	}
	if p.Title == "" {
		add("title", "partnership.error.required", "required")
	}
	for f, v := range map[string]string{"title": p.Title, "title_ko": p.TitleKO} {
		if utf8.RuneCountInString(v) > MaxTitle {
			add(f, "partnership.error.too_long", "at most %d characters", MaxTitle)
		}
	}
	for f, v := range map[string]string{"summary": p.Summary, "summary_ko": p.SummaryKO, "outcomes": p.Outcomes} {
		if utf8.RuneCountInString(v) > MaxText {
			add(f, "partnership.error.too_long", "at most %d characters", MaxText)
		}
	}
	var themes []string
	seen := map[string]bool{}
	for _, t := range p.Themes {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		if utf8.RuneCountInString(t) > MaxTagChars {
			add("themes", "partnership.error.too_long", "at most %d characters", MaxTagChars)
			break
		}
		themes = append(themes, t)
	}
	if len(themes) > MaxTags {
		add("themes", "partnership.error.too_many", "at most %d values", MaxTags)
	}
	p.Themes = themes
	if p.StartDate == "" {
		add("start_date", "partnership.error.required", "required")
	}
	for f, v := range map[string]string{"start_date": p.StartDate, "end_date": p.EndDate, "agreement_date": p.AgreementDate} {
		if v != "" && !validDate(v) {
			add(f, "partnership.error.date", "a date as YYYY-MM-DD")
		}
	}
	if p.EndDate != "" && p.StartDate != "" && p.EndDate < p.StartDate {
		add("end_date", "partnership.error.end_before", "ends before it starts")
	}
	if !contains(PartnershipStatuses, p.Status) {
		add("status", "partnership.error.choice", "not one of %s", strings.Join(PartnershipStatuses, ", "))
	}
	if p.Visibility != Public && p.Visibility != Members {
		add("visibility", "partnership.error.choice", "not one of %s", Public+", "+Members)
	}
	return ps
}

// Validate normalises a and checks it, naming each field at fault.
func (a *Activity) Validate() []citylens.Problem {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	for _, f := range []*string{&a.Kind, &a.Title, &a.StartDate, &a.EndDate, &a.Report} {
		*f = strings.TrimSpace(*f)
	}
	if !contains(ActivityKinds, a.Kind) {
		add("kind", "partnership.error.choice", "not one of %s", strings.Join(ActivityKinds, ", "))
	}
	if a.Title == "" {
		add("activity_title", "partnership.error.required", "required")
	} else if utf8.RuneCountInString(a.Title) > MaxTitle {
		add("activity_title", "partnership.error.too_long", "at most %d characters", MaxTitle)
	}
	if a.StartDate == "" {
		add("activity_start", "partnership.error.required", "required")
	}
	for f, v := range map[string]string{"activity_start": a.StartDate, "activity_end": a.EndDate} {
		if v != "" && !validDate(v) {
			add(f, "partnership.error.date", "a date as YYYY-MM-DD")
		}
	}
	if a.EndDate != "" && a.StartDate != "" && a.EndDate < a.StartDate {
		add("activity_end", "partnership.error.end_before", "ends before it starts")
	}
	if utf8.RuneCountInString(a.Report) > MaxText {
		add("report", "partnership.error.too_long", "at most %d characters", MaxText)
	}
	return ps
}

// checkDirectory checks p's cities and partner exist in the directory.
func (s *PartnershipService) checkDirectory(ctx context.Context, p *Partnership) ([]citylens.Problem, error) {
	var ps []citylens.Problem
	if s.Directory == nil {
		return nil, nil
	}
	for f, code := range map[string]string{"city_a": p.CityA, "city_b": p.CityB} {
		if code == "" || len(code) > MaxCode {
			continue
		}
		if _, err := s.Directory.City(ctx, code); err != nil {
			if citylens.ErrorCode(err) != citylens.ENOTFOUND {
				return nil, err
			}
			ps = append(ps, citylens.Problem{Field: f}.Keyed("partnership.error.city", "no member city %s", code))
		}
	}
	if p.Partner != "" && len(p.Partner) <= MaxCode {
		if _, err := s.Directory.Partner(ctx, p.Partner); err != nil {
			if citylens.ErrorCode(err) != citylens.ENOTFOUND {
				return nil, err
			}
			ps = append(ps, citylens.Problem{Field: "partner"}.Keyed("partnership.error.partner", "no partner organisation %s", p.Partner))
		}
	}
	return ps, nil
}

// Create records a partnership: the secretariat for any cities, a focal
// point only for a partnership of its own city. Its library case is made
// with it.
func (s *PartnershipService) Create(ctx context.Context, v Viewer, actor auditlog.Actor, p *Partnership) error {
	ps := p.Validate()
	if !v.Admin && !(v.Member && p.Involves(v.City)) {
		return partnershipForbidden()
	}
	p.ID, p.CaseID, p.Agreement, p.Activities, p.CreatedBy = 0, 0, nil, nil, v.UserID
	return s.changed(s.Store.InTx(ctx, func(ctx context.Context) error {
		dps, err := s.checkDirectory(ctx, p)
		if err != nil {
			return err
		}
		if ps = append(ps, dps...); len(ps) > 0 {
			return partnershipInvalid(ps)
		}
		now := s.now()
		p.CreatedAt, p.UpdatedAt = now, now
		if err := s.Store.CreatePartnership(ctx, p); err != nil {
			return err
		}
		if err := s.syncCase(ctx, p); err != nil {
			return err
		}
		if err := s.Store.UpdatePartnership(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.partnership.create", p.ID, nil, p)
	}))
}

// editable loads partnership id for a change by v.
func (s *PartnershipService) editable(ctx context.Context, v Viewer, id int64) (*Partnership, error) {
	p, err := s.Store.Partnership(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, partnershipNotFound(id)
		}
		return nil, err
	}
	if !canSee(v, p) {
		return nil, partnershipNotFound(id)
	}
	if !CanEditPartnership(v, p) {
		return nil, partnershipForbidden()
	}
	return p, nil
}

// Update replaces partnership p.ID's fields (not its status, activities or
// agreement file). A focal point keeps its own city in the partnership.
func (s *PartnershipService) Update(ctx context.Context, v Viewer, actor auditlog.Actor, p *Partnership) error {
	return s.changed(s.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := s.editable(ctx, v, p.ID)
		if err != nil {
			return err
		}
		p.Status = old.Status
		ps := p.Validate()
		if !v.Admin && !p.Involves(v.City) {
			return partnershipForbidden()
		}
		dps, err := s.checkDirectory(ctx, p)
		if err != nil {
			return err
		}
		if ps = append(ps, dps...); len(ps) > 0 {
			return partnershipInvalid(ps)
		}
		p.CaseID, p.Agreement, p.Activities, p.Demo = old.CaseID, old.Agreement, old.Activities, old.Demo
		p.CreatedBy, p.CreatedAt, p.UpdatedAt = old.CreatedBy, old.CreatedAt, s.now()
		if err := s.syncCase(ctx, p); err != nil {
			return err
		}
		if err := s.Store.UpdatePartnership(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.partnership.update", p.ID, old, p)
	}))
}

// SetStatus moves partnership id to status, if the move is valid.
func (s *PartnershipService) SetStatus(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, status string) (*Partnership, error) {
	var p *Partnership
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.editable(ctx, v, id); err != nil {
			return err
		}
		if !contains(partnershipMoves[p.Status], status) {
			return citylens.Ef(citylens.ECONFLICT, "partnership.error.transition", "a partnership that is %s cannot become %s",
				citylens.Phrase{Key: "partnership.status." + p.Status, English: p.Status},
				citylens.Phrase{Key: "partnership.status." + status, English: status})
		}
		before := *p
		p.Status, p.UpdatedAt = status, s.now()
		if err := s.syncCase(ctx, p); err != nil { // the case's stage follows the status
			return err
		}
		if err := s.Store.UpdatePartnership(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.partnership.status", id, map[string]string{"status": before.Status}, map[string]string{"status": status})
	})
	return p, s.changed(err)
}

// AddActivity adds an activity, with its dates and report, to
// partnership id.
func (s *PartnershipService) AddActivity(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, a *Activity) error {
	return s.changed(s.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.editable(ctx, v, id)
		if err != nil {
			return err
		}
		if ps := a.Validate(); len(ps) > 0 {
			return partnershipInvalid(ps)
		}
		if len(p.Activities) >= MaxActivities {
			return citylens.Ef(citylens.ECONFLICT, "partnership.error.activities", "a partnership has at most %d activities", MaxActivities)
		}
		a.ID, a.PartnershipID, a.CreatedBy, a.CreatedAt = 0, id, v.UserID, s.now()
		if err := s.Store.AddPartnershipActivity(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.partnership.activity", id, nil, a)
	}))
}

// SetAgreement stores the partnership's agreement (MoU) file, streamed
// from r with the prize's file rules (PDF or image by content, at most
// MaxAgreementBytes) into the store's files, replacing the one before;
// date is its signature. Nothing is stored when it is refused.
func (s *PartnershipService) SetAgreement(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, date, name string, r io.Reader) (File, error) {
	var f File
	var staged *blobs.Temp
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		p, err := s.editable(ctx, v, id)
		if err != nil {
			return err
		}
		if date = strings.TrimSpace(date); date != "" && !validDate(date) {
			return partnershipInvalid([]citylens.Problem{citylens.Problem{Field: "agreement_date"}.Keyed("partnership.error.date", "a date as YYYY-MM-DD")})
		}
		f = File{ID: prize.NewID(), PartnershipID: id, Name: prize.CleanFileName(name), CreatedAt: s.now()}
		if staged, err = s.Store.StageFile(); err != nil {
			return err
		}
		f.Type, _, err = prize.StreamFile(r, MaxAgreementBytes, func() error {
			return citylens.Ef(citylens.ETOOLARGE, "partnership.error.file_size", "an agreement file may have at most %s", "10 MiB")
		}, staged)
		if err != nil {
			return err
		}
		if err := staged.Finish(); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "files: finish: %v", err)
		}
		f.Size, f.SHA256 = staged.Size(), staged.Sum()
		if err := s.Store.AddPartnershipFile(ctx, f, staged); err != nil {
			return err
		}
		old := p.Agreement
		p.Agreement, p.UpdatedAt = &f, s.now()
		if date != "" {
			p.AgreementDate = date
		}
		if err := s.Store.UpdatePartnership(ctx, p); err != nil {
			return err
		}
		if old != nil {
			if err := s.Store.DeletePartnershipFile(ctx, old.ID); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "exchange.partnership.agreement", id, old, f)
	})
	// What a failed release leaves, the periodic sweep collects.
	_ = s.Store.ReleaseStaged(ctx, staged, err == nil)
	return f, s.changed(err)
}

// Get is partnership id as v may see it (a members-only one is ENOTFOUND
// for a visitor, as one that does not exist).
func (s *PartnershipService) Get(ctx context.Context, v Viewer, id int64) (*Partnership, error) {
	p, err := s.Store.Partnership(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, partnershipNotFound(id)
		}
		return nil, err
	}
	if !canSee(v, p) {
		return nil, partnershipNotFound(id)
	}
	return p, nil
}

// OfCase is the partnership whose library case is caseID, if v may see it
// (nil when the case is not a partnership's).
func (s *PartnershipService) OfCase(ctx context.Context, v Viewer, caseID int64) (*Partnership, error) {
	p, err := s.Store.PartnershipByCase(ctx, caseID)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return nil, nil
	}
	if err != nil || !canSee(v, p) {
		return nil, err
	}
	return p, nil
}

// List lists the partnerships f selects that v may see.
func (s *PartnershipService) List(ctx context.Context, v Viewer, f PartnershipFilter) ([]*Partnership, error) {
	if !v.Member {
		f.PublicOnly = true
	}
	if f.Status != "" && !contains(PartnershipStatuses, f.Status) {
		f.Status = ""
	}
	return s.Store.Partnerships(ctx, f)
}

// Public lists the public partnerships (the explorer's map and profiles).
func (s *PartnershipService) Public(ctx context.Context) ([]*Partnership, error) {
	return s.List(ctx, Viewer{}, PartnershipFilter{})
}

// PartnerName is partner organisation code's name ("" when unknown).
func (s *PartnershipService) PartnerName(ctx context.Context, code string) string {
	if s.Directory == nil {
		return ""
	}
	p, err := s.Directory.Partner(ctx, code)
	if err != nil {
		return ""
	}
	return p.Name
}

// WriteAgreement writes partnership id's agreement file to w, if v may see
// the partnership; it returns the file's record.
func (s *PartnershipService) WriteAgreement(ctx context.Context, v Viewer, id int64, w func(File) io.Writer) error {
	p, err := s.Get(ctx, v, id)
	if err != nil {
		return err
	}
	if p.Agreement == nil {
		return citylens.Ef(citylens.ENOTFOUND, "partnership.error.no_file", "this partnership has no agreement file")
	}
	out := w(*p.Agreement)
	return s.Store.PartnershipFileChunks(ctx, p.Agreement.ID, func(b []byte) error {
		_, err := out.Write(b)
		return err
	})
}

// PartnershipCase is the library case of p: its title and summary, its
// first city, themes, outcomes as results and the same visibility.
func PartnershipCase(p *Partnership) *Case {
	stage := "ongoing"
	switch p.Status {
	case StatusProposed:
		stage = "planned"
	case StatusCompleted:
		stage = "scaled"
	case StatusLapsed:
		stage = ""
	}
	summary := p.Summary
	if summary == "" {
		summary = p.Title
	}
	langs := []string{"en"}
	if p.TitleKO != "" || p.SummaryKO != "" {
		langs = append(langs, "ko")
	}
	return &Case{Source: "partnership", Title: p.Title, TitleKO: p.TitleKO, Summary: summary, SummaryKO: p.SummaryKO,
		CityCode: p.CityA, Results: p.Outcomes, Visibility: p.Visibility, Demo: p.Demo, Stage: stage,
		Tags: map[string][]string{FieldThemes: p.Themes, FieldLanguages: langs}}
}

// syncCase makes or refreshes p's library case (p.CaseID).
func (s *PartnershipService) syncCase(ctx context.Context, p *Partnership) error {
	if s.Library == nil {
		return nil
	}
	c := PartnershipCase(p)
	if err := s.Library.fill(ctx, c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if p.CaseID == 0 {
		c.CreatedAt, c.UpdatedAt, c.CreatedBy = p.CreatedAt, p.UpdatedAt, p.CreatedBy
		if err := s.Library.Store.CreateExchangeCase(ctx, c); err != nil {
			return err
		}
		p.CaseID = c.ID
		return nil
	}
	old, err := s.Library.Store.ExchangeCase(ctx, p.CaseID)
	if err != nil {
		return err
	}
	c.ID, c.Links, c.CreatedAt, c.CreatedBy, c.UpdatedAt = old.ID, old.Links, old.CreatedAt, old.CreatedBy, s.now()
	return s.Library.Store.UpdateExchangeCase(ctx, c)
}
