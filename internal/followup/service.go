package followup

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
)

// Applications is what the follow-up reads of the prize.
type Applications interface {
	PrizeApplication(ctx context.Context, id int64) (*prize.Application, error)
}

// Decisions is what the follow-up reads of the judging.
type Decisions interface {
	PrizeDecisions(ctx context.Context, edition string) ([]judging.Decision, error)
}

// Users finds an account by its e-mail (a partner's or a milestone's
// owner).
type Users interface {
	UserByEmail(ctx context.Context, email string) (accounts.User, error)
}

// FullStore is the follow-up's store with the evidence look-up.
type FullStore interface {
	Store
	EvidenceStore
	CityStore
}

// Service runs the feasibility studies.
type Service struct {
	Store     FullStore
	Prize     Applications
	Judging   Decisions
	Users     Users
	Audit     auditlog.Store
	Now       func() time.Time
	Finalists bool // open studies for finalists too, not only winners
	// Changed are called in the transaction of every change of a study
	// (opening included) with the study as stored after it: the knowledge
	// library keeps the study's case in step (internal/app). If one
	// fails, the change fails whole. Each must be idempotent.
	Changed []func(ctx context.Context, actor auditlog.Actor, st *Study) error
}

// changed runs the Changed hooks on study id as stored now.
func (s *Service) changed(ctx context.Context, actor auditlog.Actor, id int64) error {
	if len(s.Changed) == 0 {
		return nil
	}
	st, err := s.Store.FollowupStudy(ctx, id)
	if err != nil {
		return err
	}
	for _, fn := range s.Changed {
		if err := fn(ctx, actor, st); err != nil {
			return err
		}
	}
	return nil
}

// Viewer is who asks: the secretariat (Admin), a focal point (City), or
// any other signed-in user (a partner's account), or a visitor (UserID 0).
type Viewer struct {
	UserID     int64
	Email      string
	Admin      bool
	City       string // a focal point's city
	RemoteAddr string
}

// Actor is who the audit log names.
func (v Viewer) Actor() auditlog.Actor {
	return auditlog.Actor{UserID: v.UserID, Email: v.Email, RemoteAddr: v.RemoteAddr}
}

// Time is the service's clock (UTC): statuses are derived at it.
func (s *Service) Time() time.Time { return s.now() }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) record(ctx context.Context, actor auditlog.Actor, action string, id int64, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), actor, action, "followup_study", strconv.FormatInt(id, 10), before, after)
}

func notFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "followup.error.notfound", "Study %d not found.", id)
}

func forbidden() error {
	return citylens.Ef(citylens.EFORBIDDEN, "followup.error.forbidden", "Only the host city's focal point, the study's partners and the secretariat edit a study.")
}

// CanEdit reports whether v edits study st: the secretariat, the host
// city's focal point, a partner city's focal point, or a partner's
// account.
func CanEdit(st *Study, v Viewer) bool {
	if v.Admin {
		return true
	}
	if v.UserID == 0 {
		return false
	}
	if v.City != "" && v.City == st.HostCity {
		return true
	}
	for _, p := range st.Partners {
		if p.UserID != 0 && p.UserID == v.UserID {
			return true
		}
		if p.Kind == PartnerCity && v.City != "" && p.CityCode == v.City {
			return true
		}
	}
	return false
}

// Public is st as a visitor sees it: its evidence marked public only, and
// none of the working notes (risks, reasons, the review, accounts).
func Public(st *Study) *Study {
	c := *st
	c.Risks, c.Review, c.ModalityReason, c.DecisionReason, c.OwnerUserID = "", "", "", "", 0
	c.Partners = nil
	for _, p := range st.Partners {
		p.UserID = 0
		c.Partners = append(c.Partners, p)
	}
	c.Milestones = nil
	for _, m := range st.Milestones {
		ev := m.Evidence
		m.Evidence = nil
		for _, e := range ev {
			if e.Public {
				e.CreatedBy = 0
				m.Evidence = append(m.Evidence, e)
			}
		}
		m.OwnerUserID = 0
		c.Milestones = append(c.Milestones, m)
	}
	return &c
}

// Get is study id as v sees it, and whether v edits it.
func (s *Service) Get(ctx context.Context, v Viewer, id int64) (*Study, bool, error) {
	st, err := s.Store.FollowupStudy(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, false, notFound(id)
		}
		return nil, false, err
	}
	if CanEdit(st, v) {
		return st, true, nil
	}
	return Public(st), false, nil
}

// List is an edition's studies (every edition's for "") as v sees them.
func (s *Service) List(ctx context.Context, v Viewer, edition string) ([]*Study, error) {
	all, err := s.Store.FollowupStudies(ctx, edition)
	if err != nil {
		return nil, err
	}
	for i, st := range all {
		if !CanEdit(st, v) {
			all[i] = Public(st)
		}
	}
	return all, nil
}

// OpenForEdition opens a study for each winning project of edition (and
// each finalist's with Finalists) that has none: the modality from the
// application's development stage, the host city the project's, the
// applicant's organisation a partner (project owner) and the milestones
// from the modality's template. Opening twice opens nothing new (the
// Changed hooks run again on the studies already open); it runs
// in the caller's transaction when there is one (the announcement's).
func (s *Service) OpenForEdition(ctx context.Context, actor auditlog.Actor, edition string) (int, error) {
	ds, err := s.Judging.PrizeDecisions(ctx, edition)
	if err != nil {
		return 0, err
	}
	award := map[int64]judging.Decision{}
	var apps []int64
	for _, d := range ds {
		if d.Kind != judging.DecisionWinner && !(s.Finalists && d.Kind == judging.DecisionFinalist) {
			continue
		}
		if old, ok := award[d.App]; ok && old.Kind == judging.DecisionWinner {
			continue
		}
		if _, ok := award[d.App]; !ok {
			apps = append(apps, d.App)
		}
		award[d.App] = d
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i] < apps[j] })
	now := s.now()
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, id := range apps {
			if old, err := s.Store.FollowupStudyByApp(ctx, id); err == nil {
				// Opened before: its library case is refreshed (made, for
				// a study older than the library's study cases).
				if err := s.changed(ctx, actor, old.ID); err != nil {
					return err
				}
				continue
			} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
				return err
			}
			a, err := s.Prize.PrizeApplication(ctx, id)
			if err != nil {
				return err
			}
			st := NewStudy(a, award[id], now)
			if err := s.Store.CreateFollowupStudy(ctx, st); err != nil {
				if citylens.ErrorCode(err) == citylens.ECONFLICT { // another replica opened it
					continue
				}
				return err
			}
			if err := s.record(ctx, actor, "followup.study.open", st.ID, nil, st); err != nil {
				return err
			}
			if err := s.changed(ctx, actor, st.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// NewStudy is the study an awarded application opens with.
func NewStudy(a *prize.Application, d judging.Decision, now time.Time) *Study {
	stage := a.Stage
	if stage == "" && len(a.Answers[prize.FieldStage]) > 0 {
		stage = a.Answers[prize.FieldStage][0]
	}
	st := &Study{Edition: a.Edition, AppID: a.ID, Award: d.Kind, Grade: d.Grade, Title: a.Title, Organisation: a.Organisation,
		Country: a.Country, Stage: stage, Modality: SuggestModality(stage), HostCity: a.CityCode, HostCityName: a.CityName,
		OwnerUserID: a.UserID, Currency: "KRW", Reported: StatusOnTrack, Demo: a.Demo, CreatedAt: now, UpdatedAt: now}
	st.Partners = []Partner{{Kind: PartnerOrganisation, Name: a.Organisation, Role: "project_owner", UserID: a.UserID}}
	st.Milestones = PlanFor(st.Modality, now)
	for i := range st.Milestones {
		st.Milestones[i].OwnerUserID = a.UserID
		st.Milestones[i].UpdatedAt = now
	}
	return st
}

// editable loads study id for an edit by v.
func (s *Service) editable(ctx context.Context, v Viewer, id int64) (*Study, error) {
	st, err := s.Store.FollowupStudy(ctx, id)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, notFound(id)
		}
		return nil, err
	}
	if !CanEdit(st, v) {
		return nil, forbidden()
	}
	return st, nil
}

// mutate runs one change of study id by v in a transaction: it loads the
// study for an edit (editable), lets fn make the change, runs the Changed
// hooks and records action in the audit log with fn's before and after.
// An error of fn, or of any step, fails the change whole.
func (s *Service) mutate(ctx context.Context, v Viewer, id int64, action string, fn func(ctx context.Context, st *Study) (before, after any, err error)) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		st, err := s.editable(ctx, v, id)
		if err != nil {
			return err
		}
		before, after, err := fn(ctx, st)
		if err != nil {
			return err
		}
		if err := s.changed(ctx, v.Actor(), id); err != nil {
			return err
		}
		return s.record(ctx, v.Actor(), action, id, before, after)
	})
}

// StudyEdit is what the study's editors change of it.
type StudyEdit struct {
	Currency    string
	Budget      float64
	Reported    string
	Risks       string
	FinalReport string
}

// Update changes a study's budget, reported status, risks and final
// report: its editors.
func (s *Service) Update(ctx context.Context, v Viewer, id int64, e StudyEdit) error {
	return s.mutate(ctx, v, id, "followup.study.update", func(ctx context.Context, st *Study) (any, any, error) {
		if ps := BudgetProblems(e.Currency, e.Budget); len(ps) > 0 {
			return nil, nil, invalid(ps)
		}
		before := *st
		st.Currency, st.Budget, st.Reported, st.Risks, st.FinalReport = e.Currency, int64(e.Budget), e.Reported, e.Risks, e.FinalReport
		if err := st.Validate(); err != nil {
			return nil, nil, err
		}
		st.UpdatedAt = s.now()
		if err := s.Store.UpdateFollowupStudy(ctx, st); err != nil {
			return nil, nil, err
		}
		return studyFields(&before), studyFields(st), nil
	})
}

// studyFields is what the audit log records of a study's own fields.
func studyFields(st *Study) *Study {
	c := *st
	c.Partners, c.Milestones = nil, nil
	return &c
}

// SetModality changes a study's modality with the secretariat's reason.
func (s *Service) SetModality(ctx context.Context, v Viewer, id int64, modality, reason string) error {
	if !v.Admin {
		return citylens.Ef(citylens.EFORBIDDEN, "followup.error.adminonly", "Only the secretariat may do this.")
	}
	return s.mutate(ctx, v, id, "followup.study.modality", func(ctx context.Context, st *Study) (any, any, error) {
		if strings.TrimSpace(reason) == "" {
			return nil, nil, invalid([]citylens.Problem{citylens.Problem{Field: "modality_reason"}.Keyed("followup.error.reason", "give the reason")})
		}
		before := studyFields(st)
		st.Modality, st.ModalityReason = modality, strings.TrimSpace(reason)
		if err := st.Validate(); err != nil {
			return nil, nil, err
		}
		st.UpdatedAt = s.now()
		if err := s.Store.UpdateFollowupStudy(ctx, st); err != nil {
			return nil, nil, err
		}
		return before, studyFields(st), nil
	})
}

// Review records the secretariat's review of a study and its go / no-go
// decision ("" for none yet) with the reasons.
func (s *Service) Review(ctx context.Context, v Viewer, id int64, note, decision, reason string) error {
	if !v.Admin {
		return citylens.Ef(citylens.EFORBIDDEN, "followup.error.adminonly", "Only the secretariat may do this.")
	}
	return s.mutate(ctx, v, id, "followup.study.review", func(ctx context.Context, st *Study) (any, any, error) {
		before := studyFields(st)
		st.Review, st.Decision, st.DecisionReason = strings.TrimSpace(note), decision, strings.TrimSpace(reason)
		if err := st.Validate(); err != nil {
			return nil, nil, err
		}
		now := s.now()
		st.ReviewedAt, st.UpdatedAt = now, now
		if err := s.Store.UpdateFollowupStudy(ctx, st); err != nil {
			return nil, nil, err
		}
		return before, studyFields(st), nil
	})
}

// userByEmail resolves an optional account for field.
func (s *Service) userByEmail(ctx context.Context, field, email string) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return 0, nil
	}
	if s.Users == nil {
		return 0, nil
	}
	u, err := s.Users.UserByEmail(ctx, email)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return 0, invalid([]citylens.Problem{citylens.Problem{Field: field}.Keyed("followup.error.account", "no account %s", email)})
		}
		return 0, err
	}
	return u.ID, nil
}

// AddPartner adds a partner city or organisation; email names the
// account that edits the study for it ("" for none).
func (s *Service) AddPartner(ctx context.Context, v Viewer, id int64, p Partner, email string) error {
	return s.mutate(ctx, v, id, "followup.partner.add", func(ctx context.Context, st *Study) (any, any, error) {
		if len(st.Partners) >= MaxPartners {
			return nil, nil, citylens.Ef(citylens.ECONFLICT, "followup.error.too_many", "a study has at most %d of these", MaxPartners)
		}
		p.StudyID = id
		if err := checkPartner(&p); err != nil {
			return nil, nil, err
		}
		var err error
		if p.UserID, err = s.userByEmail(ctx, "email", email); err != nil {
			return nil, nil, err
		}
		if err := s.Store.AddFollowupPartner(ctx, &p); err != nil {
			return nil, nil, err
		}
		return nil, p, nil
	})
}

// AddMilestone adds a milestone to a study's plan; email names its owner
// ("" for the study's owner).
func (s *Service) AddMilestone(ctx context.Context, v Viewer, id int64, m Milestone, email string) error {
	return s.mutate(ctx, v, id, "followup.milestone.add", func(ctx context.Context, st *Study) (any, any, error) {
		if len(st.Milestones) >= MaxMilestones {
			return nil, nil, citylens.Ef(citylens.ECONFLICT, "followup.error.too_many", "a study has at most %d of these", MaxMilestones)
		}
		m.StudyID, m.Seq, m.DoneAt = id, len(st.Milestones)+1, time.Time{}
		if m.Reported == "" {
			m.Reported = StatusOnTrack
		}
		if err := m.Validate(); err != nil {
			return nil, nil, err
		}
		var err error
		if m.OwnerUserID, err = s.userByEmail(ctx, "owner", email); err != nil {
			return nil, nil, err
		}
		if m.OwnerUserID == 0 {
			m.OwnerUserID = st.OwnerUserID
		}
		m.UpdatedAt = s.now()
		if m.Reported == StatusDone {
			m.DoneAt = m.UpdatedAt
		}
		if err := s.Store.AddFollowupMilestone(ctx, &m); err != nil {
			return nil, nil, err
		}
		return nil, m, nil
	})
}

// MilestoneEdit is what editors change of a milestone.
type MilestoneEdit struct {
	Due            string
	Reported       string
	Deliverables   string
	DeliverablesKO string
}

// UpdateMilestone changes a milestone's due date, reported status and
// deliverables.
func (s *Service) UpdateMilestone(ctx context.Context, v Viewer, id, mid int64, e MilestoneEdit) error {
	return s.mutate(ctx, v, id, "followup.milestone.update", func(ctx context.Context, st *Study) (any, any, error) {
		m, ok := milestoneOf(st, mid)
		if !ok {
			return nil, nil, citylens.Ef(citylens.ENOTFOUND, "followup.error.milestone", "Milestone %d not found.", mid)
		}
		before := m
		before.Evidence = nil
		m.Evidence = nil
		m.Due, m.Reported, m.Deliverables, m.DeliverablesKO = strings.TrimSpace(e.Due), e.Reported, e.Deliverables, e.DeliverablesKO
		if err := m.Validate(); err != nil {
			return nil, nil, err
		}
		m.UpdatedAt = s.now()
		switch {
		case m.Reported == StatusDone && before.Reported != StatusDone:
			m.DoneAt = m.UpdatedAt
		case m.Reported != StatusDone:
			m.DoneAt = time.Time{}
		}
		if err := s.Store.UpdateFollowupMilestone(ctx, &m); err != nil {
			return nil, nil, err
		}
		return before, m, nil
	})
}

func milestoneOf(st *Study, mid int64) (Milestone, bool) {
	for _, m := range st.Milestones {
		if m.ID == mid {
			return m, true
		}
	}
	return Milestone{}, false
}

// AddEvidence adds evidence to a milestone. A file (e.Kind file) is read
// from file as the prize's attachments are: in chunks into the store's
// staged file, of an accepted type by content, at most
// prize.MaxAttachmentBytes and MaxStudyBytes for the study's files
// together. Nothing is stored when anything is refused.
func (s *Service) AddEvidence(ctx context.Context, v Viewer, id, mid int64, e Evidence, fileName string, file io.Reader) (Evidence, error) {
	var staged *blobs.Temp
	err := s.mutate(ctx, v, id, "followup.evidence.add", func(ctx context.Context, st *Study) (any, any, error) {
		m, ok := milestoneOf(st, mid)
		if !ok {
			return nil, nil, citylens.Ef(citylens.ENOTFOUND, "followup.error.milestone", "Milestone %d not found.", mid)
		}
		if len(m.Evidence) >= MaxEvidence {
			return nil, nil, citylens.Ef(citylens.ECONFLICT, "followup.error.too_many", "a study has at most %d of these", MaxEvidence)
		}
		e.ID, e.StudyID, e.MilestoneID, e.CreatedBy, e.CreatedAt = 0, id, mid, v.UserID, s.now()
		e.Label, e.URL, e.Unit, e.Indicator = strings.TrimSpace(e.Label), strings.TrimSpace(e.URL), strings.TrimSpace(e.Unit), strings.TrimSpace(e.Indicator)
		if err := e.Validate(); err != nil {
			return nil, nil, err
		}
		if e.Kind == EvidenceFile {
			if file == nil {
				return nil, nil, invalid([]citylens.Problem{citylens.Problem{Field: "file"}.Keyed("followup.error.file_missing", "choose a file")})
			}
			used, err := s.Store.FollowupStudyBytes(ctx, id)
			if err != nil {
				return nil, nil, err
			}
			limit := int64(prize.MaxAttachmentBytes)
			if left := MaxStudyBytes - used; left < limit {
				limit = left
			}
			f := File{ID: prize.NewID(), StudyID: id, Name: prize.CleanFileName(fileName), CreatedAt: e.CreatedAt}
			if staged, err = s.Store.StageFile(); err != nil {
				return nil, nil, err
			}
			f.Type, _, err = prize.StreamFile(file, limit, func() error {
				return citylens.Ef(citylens.ETOOLARGE, "followup.error.file_size", "a file may have at most %s, and a study's files %s together", "10 MiB", "80 MiB").
					WithProblems(citylens.Problem{Field: "file"}.Keyed("followup.error.file_size_field", "too large"))
			}, staged)
			if err != nil {
				if ce := citylens.AsError(err); ce != nil && len(ce.Problems) == 0 {
					ce.Problems = append(ce.Problems, citylens.Problem{Field: "file", Reason: ce.Message, Key: ce.Key, Args: ce.Args})
				}
				return nil, nil, err
			}
			if err := staged.Finish(); err != nil {
				return nil, nil, citylens.Errorf(citylens.EINTERNAL, "files: finish: %v", err)
			}
			f.Size, f.SHA256 = staged.Size(), staged.Sum()
			if err := s.Store.AddFollowupFile(ctx, f, staged); err != nil {
				return nil, nil, err
			}
			e.FileID, e.FileName, e.FileType, e.FileSize, e.SHA256 = f.ID, f.Name, f.Type, f.Size, f.SHA256
			if e.Label == "" {
				e.Label = f.Name
			}
		} else {
			e.FileID, e.FileName, e.FileType, e.FileSize, e.SHA256 = "", "", "", 0, ""
		}
		if err := s.Store.AddFollowupEvidence(ctx, &e); err != nil {
			return nil, nil, err
		}
		return nil, e, nil
	})
	// What a failed release leaves, the periodic sweep collects.
	_ = s.Store.ReleaseStaged(ctx, staged, err == nil)
	return e, err
}

// File is an evidence file's record if v may read it: anyone when the
// evidence is public, the study's editors otherwise (ENOTFOUND, as for a
// file that does not exist).
func (s *Service) File(ctx context.Context, v Viewer, fileID string) (File, error) {
	missing := citylens.Ef(citylens.ENOTFOUND, "followup.error.file_not_found", "no such file")
	e, err := s.Store.FollowupEvidenceByFile(ctx, fileID)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return File{}, missing
		}
		return File{}, err
	}
	if !e.Public {
		st, err := s.Store.FollowupStudy(ctx, e.StudyID)
		if err != nil {
			return File{}, err
		}
		if !CanEdit(st, v) {
			return File{}, missing
		}
	}
	return s.Store.FollowupFile(ctx, fileID)
}

// WriteFile writes a file v may read to w.
func (s *Service) WriteFile(ctx context.Context, v Viewer, fileID string, w io.Writer) error {
	if _, err := s.File(ctx, v, fileID); err != nil {
		return err
	}
	return s.Store.FollowupFileChunks(ctx, fileID, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
}

// ReportRow is one study in the ceremony's report.
type ReportRow struct {
	Study      *Study   // as the public sees it
	Status     string   // the study's derived status
	Done       int      // milestones done
	Total      int      // milestones
	Statuses   []string // each milestone's derived status, in order
	Indicators []Evidence
}

// Report is the ceremony report of an edition's studies: every study's
// progress at now, public evidence only.
type Report struct {
	Edition string
	At      time.Time
	Rows    []ReportRow
	Count   map[string]int // studies by status
}

// CeremonyReport is the progress of edition's studies, for the next
// edition's ceremony.
func (s *Service) CeremonyReport(ctx context.Context, edition string) (*Report, error) {
	all, err := s.Store.FollowupStudies(ctx, edition)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Report{Edition: edition, At: now, Count: map[string]int{}}
	for _, st := range all {
		p := Public(st)
		row := ReportRow{Study: p, Status: StudyStatus(st, now)}
		row.Done, row.Total = Progress(st)
		for _, m := range p.Milestones {
			row.Statuses = append(row.Statuses, MilestoneStatus(m, now))
			for _, e := range m.Evidence {
				if e.Kind == EvidenceIndicator {
					row.Indicators = append(row.Indicators, e)
				}
			}
		}
		r.Count[row.Status]++
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}

// Reminder kinds.
const (
	KindDue14   = "milestone.due14"
	KindDue3    = "milestone.due3"
	KindOverdue = "milestone.overdue"
)

// Reminder is a milestone someone must act on: due within 14 days, within
// 3 days, or overdue, with the people to tell.
type Reminder struct {
	Kind        string  `json:"kind"`
	Key         string  `json:"key"` // stable: study, milestone, kind and due date
	StudyID     int64   `json:"study_id"`
	StudyTitle  string  `json:"study_title"`
	MilestoneID int64   `json:"milestone_id"`
	Milestone   string  `json:"milestone"`
	MilestoneKO string  `json:"milestone_ko"` // the Korean title; the English one when it has none
	Due         string  `json:"due"`
	UserIDs     []int64 `json:"user_ids"`
}

// ReminderStore is what Reminders reads.
type ReminderStore interface {
	FollowupDue(ctx context.Context, until string) ([]Due, error)
	FollowupFocalPoints(ctx context.Context, cities []string) (map[string][]int64, error)
}

// ReminderKind is the reminder a milestone not done, due on due, gets on
// today's date: overdue after its due date, due3 within 3 days, due14
// within 14, "" otherwise. Windows rather than exact days, so a day the
// job did not run loses no reminder; the key keeps each sent once.
func ReminderKind(due, today string) string {
	t, err := time.Parse(DateLayout, today)
	if err != nil {
		return ""
	}
	switch {
	case due < today:
		return KindOverdue
	case due <= t.AddDate(0, 0, 3).Format(DateLayout):
		return KindDue3
	case due <= t.AddDate(0, 0, 14).Format(DateLayout):
		return KindDue14
	}
	return ""
}

// Reminders are the milestones due in 14 days, in 3 days and overdue at
// now (UTC dates), each with the people to notify: the milestone's and
// the study's owners, the partners' accounts and the focal points of the
// host and partner cities. A milestone done is never reminded.
func Reminders(ctx context.Context, st ReminderStore, now time.Time) ([]Reminder, error) {
	today := Today(now)
	until := now.UTC().AddDate(0, 0, 14).Format(DateLayout)
	due, err := st.FollowupDue(ctx, until)
	if err != nil {
		return nil, err
	}
	citySet := map[string]bool{}
	for _, d := range due {
		if d.HostCity != "" {
			citySet[d.HostCity] = true
		}
		for _, c := range d.PartnerCityCodes {
			citySet[c] = true
		}
	}
	cities := make([]string, 0, len(citySet))
	for c := range citySet {
		cities = append(cities, c)
	}
	sort.Strings(cities)
	focal := map[string][]int64{}
	if len(cities) > 0 {
		if focal, err = st.FollowupFocalPoints(ctx, cities); err != nil {
			return nil, err
		}
	}
	out := make([]Reminder, 0, len(due))
	for _, d := range due {
		kind := ReminderKind(d.Due, today)
		if kind == "" {
			continue
		}
		people := map[int64]bool{}
		add := func(ids ...int64) {
			for _, id := range ids {
				if id != 0 {
					people[id] = true
				}
			}
		}
		add(d.StudyOwner, d.MilestoneOwner)
		add(d.PartnerUserIDs...)
		add(focal[d.HostCity]...)
		for _, c := range d.PartnerCityCodes {
			add(focal[c]...)
		}
		ids := make([]int64, 0, len(people))
		for id := range people {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		out = append(out, Reminder{Kind: kind, Key: fmt.Sprintf("followup:%d:%d:%s:%s", d.StudyID, d.MilestoneID, kind, d.Due),
			StudyID: d.StudyID, StudyTitle: d.StudyTitle, MilestoneID: d.MilestoneID, Milestone: d.MilestoneTitle, MilestoneKO: cmp.Or(d.MilestoneTitleKO, d.MilestoneTitle), Due: d.Due, UserIDs: ids})
	}
	return out, nil
}
