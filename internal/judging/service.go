package judging

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/i18n"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/prize"
)

// Service runs an edition's judging on the stores. Every method that shows
// an application to a judge checks conflicts first; every method that
// shows a decision checks the embargo first.
type Service struct {
	Store Store
	Prize prize.Store
	Audit auditlog.Store
	Mail  citymail.Sender
	Now   func() time.Time
	// Library, when set, receives each award at the announcement: the
	// knowledge library makes it a case when the applicant agreed to share.
	Library Library
	// Catalog words the e-mails in each applicant's language; nil loads
	// the embedded catalogues.
	Catalog *i18n.Catalog
	// Announced are called in the announcement's transaction, after the
	// embargo is lifted: what follows the results (the winners'
	// feasibility studies, package followup) starts with them, or the
	// announcement fails whole. Each must be idempotent.
	Announced []func(ctx context.Context, actor auditlog.Actor, edition string) error
}

// Library is the knowledge library as the announcement feeds it
// (exchange.Service): PublishAward makes or refreshes the case of an
// awarded application whose applicant agreed to share it, naming the
// award, and reports whether it did.
type Library interface {
	PublishAward(ctx context.Context, actor auditlog.Actor, a *prize.Application, award string) (bool, error)
}

// Viewer is who asks: an administrator of the platform, or any user
// (a judge, an applicant, a visitor with UserID 0).
type Viewer struct {
	UserID int64
	Email  string
	Admin  bool // the prize administrator
}

func (v Viewer) actor() auditlog.Actor { return auditlog.Actor{UserID: v.UserID, Email: v.Email} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func notFoundApp(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "judging.err.noapp", "Application %d not found.", id)
}

// Committee reports whether v is on the edition's committee: the prize
// administrator or the committee chair.
func (s *Service) Committee(ctx context.Context, edition string, v Viewer) bool {
	if v.Admin {
		return true
	}
	if v.UserID == 0 {
		return false
	}
	j, err := s.Store.PrizeJudgeByUser(ctx, edition, v.UserID)
	return err == nil && j.Role == RoleChair
}

// InviteJudge adds a judge (or the chair, or a partner's judge) to the
// edition's committee. Only the administrator invites.
func (s *Service) InviteJudge(ctx context.Context, v Viewer, j *Judge) error {
	if !v.Admin {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.adminonly", "Only the prize administrator may do this.")
	}
	switch j.Role {
	case RoleJudge, RoleChair:
	case RolePartner:
		if j.PartnerTrack == "" {
			return citylens.Ef(citylens.EINVALID, "judging.err.partnertrack", "A partner's judge needs the Special Mention track they judge.")
		}
	default:
		return citylens.Ef(citylens.EINVALID, "judging.err.role", "Role %q is not judge, chair or partner.", j.Role)
	}
	if j.Role == RolePartner {
		if err := s.specialTrack(ctx, j.Edition, j.PartnerTrack); err != nil {
			return err
		}
	}
	if j.Load < 0 || j.Load > 500 {
		return citylens.Ef(citylens.EINVALID, "judging.err.load", "A judge's load must be between 0 and 500, not %d.", j.Load)
	}
	if len(j.Name) > 200 || len(j.Organisation) > 300 || len(j.Languages) > 20 || len(j.Expertise) > 50 {
		return citylens.Ef(citylens.EINVALID, "judging.err.judgetoolong", "The judge's details are too long.")
	}
	j.CreatedAt = s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreatePrizeJudge(ctx, j); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.judge.invite", "judge", fmt.Sprint(j.ID), nil, j)
	})
}

// candidates are the edition's applications in judging: submitted and
// not desk-rejected.
func (s *Service) candidates(ctx context.Context, edition string) ([]*prize.Application, error) {
	all, err := s.Prize.PrizeApplications(ctx, prize.ApplicationFilter{Edition: edition, State: prize.StateSubmitted})
	if err != nil {
		return nil, err
	}
	var out []*prize.Application
	for _, a := range all {
		if a.Screening != prize.ScreenRejected {
			out = append(out, a)
		}
	}
	return out, nil
}

// party is the application as conflict detection sees it.
func (s *Service) party(ctx context.Context, a *prize.Application) (Party, error) {
	p := Party{ID: a.ID, Organisations: []string{a.Organisation}, CityCode: a.CityCode, CityName: a.CityName, Country: a.Country}
	for _, c := range a.CoApplicants {
		p.Partners = append(p.Partners, c.Organisation)
	}
	es, err := s.Prize.PrizeEndorsements(ctx, a.ID)
	if err != nil {
		return p, err
	}
	for _, e := range es {
		if e.Status == prize.EndorseGiven {
			p.Endorsers = append(p.Endorsers, e.CityName)
		}
	}
	return p, nil
}

// DetectConflicts finds every judge–application link of the edition and
// stores the new ones as pending for the chair; a conflict the chair has
// already confirmed or dismissed keeps its status. It returns how many
// were new.
func (s *Service) DetectConflicts(ctx context.Context, v Viewer, edition string) (int, error) {
	if !s.Committee(ctx, edition, v) {
		return 0, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	judges, err := s.Store.PrizeJudges(ctx, edition)
	if err != nil {
		return 0, err
	}
	apps, err := s.candidates(ctx, edition)
	if err != nil {
		return 0, err
	}
	parents := map[string]string{}
	for _, j := range judges {
		if j.OrgParent != "" {
			parents[j.Organisation] = j.OrgParent
		}
	}
	orgs := NewOrgs(parents)
	existing, err := s.Store.PrizeConflicts(ctx, edition)
	if err != nil {
		return 0, err
	}
	have := map[[4]string]bool{}
	for _, c := range existing {
		have[conflictKey(c)] = true
	}
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, a := range apps {
			p, err := s.party(ctx, a)
			if err != nil {
				return err
			}
			for _, j := range judges {
				for _, c := range orgs.Detect(Person{ID: j.ID, Organisation: j.Organisation, CityCode: j.CityCode,
					CityName: j.CityName, Country: j.Country}, p) {
					if have[conflictKey(c)] {
						continue
					}
					if err := s.Store.PutPrizeConflict(ctx, c); err != nil {
						return err
					}
					n++
				}
			}
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.conflicts.detect", "edition", edition, nil, map[string]int{"new": n})
	})
	if err != nil {
		return 0, err
	}
	// Declared conflicts with no detected link are marked for review.
	return n, s.markUnsupported(ctx, edition)
}

func conflictKey(c Conflict) [4]string {
	return [4]string{fmt.Sprint(c.Judge), fmt.Sprint(c.App), c.Type, c.Source}
}

func (s *Service) markUnsupported(ctx context.Context, edition string) error {
	cs, err := s.Store.PrizeConflicts(ctx, edition)
	if err != nil {
		return err
	}
	var detected, declared []Conflict
	for _, c := range cs {
		if c.Source == SourceDetected {
			detected = append(detected, c)
		} else {
			declared = append(declared, c)
		}
	}
	for _, c := range Review(detected, declared) {
		if c.Source != SourceDetected {
			if err := s.Store.PutPrizeConflict(ctx, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Declare records a conflict declared by a judge (source judge) or by the
// applicant of the application (source applicant). It binds at once.
func (s *Service) Declare(ctx context.Context, v Viewer, judgeID, appID int64, typ string) error {
	if !ValidDeclared(typ) {
		return citylens.Ef(citylens.EINVALID, "judging.err.conflicttype", "%q is not a type of conflict.", typ)
	}
	j, err := s.Store.PrizeJudge(ctx, judgeID)
	if err != nil {
		return err
	}
	a, err := s.Prize.PrizeApplication(ctx, appID)
	if err != nil || a.Edition != j.Edition {
		return notFoundApp(appID)
	}
	source := ""
	switch {
	case j.UserID == v.UserID:
		source = SourceJudge
	case a.UserID == v.UserID:
		source = SourceApplicant
	default:
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.declare", "Only the judge or the applicant may declare this conflict.")
	}
	c := Conflict{Judge: judgeID, App: appID, Type: typ, Source: source, Status: StatusPending}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutPrizeConflict(ctx, c); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.conflict.declare", "application", fmt.Sprint(appID), nil, c)
	})
	if err != nil {
		return err
	}
	return s.markUnsupported(ctx, j.Edition)
}

// SetConflictStatus is the chair confirming or dismissing a conflict.
func (s *Service) SetConflictStatus(ctx context.Context, v Viewer, edition string, c Conflict, status string) error {
	if !s.Committee(ctx, edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if status != StatusConfirmed && status != StatusDismissed {
		return citylens.Ef(citylens.EINVALID, "judging.err.status", "%q is not confirmed or dismissed.", status)
	}
	cs, err := s.Store.PrizeConflicts(ctx, edition)
	if err != nil {
		return err
	}
	for _, x := range cs {
		if conflictKey(x) == conflictKey(c) {
			before := x
			x.Status = status
			return s.Store.InTx(ctx, func(ctx context.Context) error {
				if err := s.Store.PutPrizeConflict(ctx, x); err != nil {
					return err
				}
				return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.conflict."+status, "application", fmt.Sprint(x.App), before, x)
			})
		}
	}
	return citylens.Ef(citylens.ENOTFOUND, "judging.err.noconflict", "No such conflict.")
}

// blocked is the edition's binding conflicts.
func (s *Service) blocked(ctx context.Context, edition string) (map[[2]int64]bool, error) {
	cs, err := s.Store.PrizeConflicts(ctx, edition)
	if err != nil {
		return nil, err
	}
	return Blocked(cs), nil
}

// judgeOf returns v's judge record on the edition; ENOTFOUND if none.
func (s *Service) judgeOf(ctx context.Context, edition string, v Viewer) (*Judge, error) {
	if v.UserID == 0 {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.notjudge", "You are not a judge of this edition.")
	}
	j, err := s.Store.PrizeJudgeByUser(ctx, edition, v.UserID)
	if err != nil {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.notjudge", "You are not a judge of this edition.")
	}
	return j, nil
}

// SeeApplication returns the application for a judge, or ENOTFOUND —
// the same answer as for an application that does not exist — when the
// judge is in conflict with it: guessing its number tells nothing.
func (s *Service) SeeApplication(ctx context.Context, v Viewer, edition string, appID int64) (*prize.Application, error) {
	a, err := s.Prize.PrizeApplication(ctx, appID)
	if err != nil || a.Edition != edition || a.State != prize.StateSubmitted {
		return nil, notFoundApp(appID)
	}
	if v.Admin {
		return a, nil
	}
	j, err := s.judgeOf(ctx, edition, v)
	if err != nil {
		return nil, err
	}
	bl, err := s.blocked(ctx, edition)
	if err != nil {
		return nil, err
	}
	if bl[[2]int64{j.ID, appID}] {
		return nil, notFoundApp(appID)
	}
	if outsidePartnerTrack(j, a) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.partnerscope",
			"As a partner's judge you see and score only the Special Mention track %q.", j.PartnerTrack)
	}
	return a, nil
}

// outsidePartnerTrack reports whether a is outside the Special Mention
// track of partner judge j (false for every other judge).
func outsidePartnerTrack(j *Judge, a *prize.Application) bool {
	return j.Role == RolePartner && a.Track != j.PartnerTrack
}

// specialTrack checks that code is one of the edition's Special Mention
// tracks (kind special), the only tracks a partner judges and gives a
// Special Mention in.
func (s *Service) specialTrack(ctx context.Context, edition, code string) error {
	tracks, err := s.Prize.PrizeTracks(ctx, edition)
	if err != nil {
		return err
	}
	for _, t := range tracks {
		if t.Code == code {
			if t.Kind == prize.KindSpecial {
				return nil
			}
			break
		}
	}
	return citylens.Ef(citylens.EINVALID, "judging.err.notspecial", "Track %q is not a Special Mention track of edition %s.", code, edition)
}

// Bid places a judge's bid on an application they may see.
func (s *Service) Bid(ctx context.Context, v Viewer, edition string, appID int64, bid string) error {
	if bid != "" && !ValidBid(bid) {
		return citylens.Ef(citylens.EINVALID, "judging.err.bid", "%q is not eager, willing or not_willing.", bid)
	}
	if _, err := s.SeeApplication(ctx, v, edition, appID); err != nil {
		return err
	}
	j, err := s.judgeOf(ctx, edition, v)
	if err != nil {
		return err
	}
	return s.Store.PutPrizeBid(ctx, j.ID, appID, bid)
}

// OpenRound opens a round with its rubric and closing time.
func (s *Service) OpenRound(ctx context.Context, v Viewer, r *Round) error {
	if !s.Committee(ctx, r.Edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if r.Kind != RoundScreening && r.Kind != RoundFinalist {
		return citylens.Ef(citylens.EINVALID, "judging.err.roundkind", "%q is not screening or finalist.", r.Kind)
	}
	if err := r.Rubric.Validate(); err != nil {
		return err
	}
	if r.K < 1 || r.K > 20 {
		return citylens.Ef(citylens.EINVALID, "judging.err.k", "Judges per application must be between 1 and 20, not %d.", r.K)
	}
	if r.Seed == "" {
		r.Seed = prize.NewID()
	}
	return s.Store.CreatePrizeRound(ctx, r)
}

// roundApps are the applications of a round: every candidate for the
// screening round, the finalists for the finalist round.
func (s *Service) roundApps(ctx context.Context, r *Round) ([]*prize.Application, error) {
	apps, err := s.candidates(ctx, r.Edition)
	if err != nil || r.Kind == RoundScreening {
		return apps, err
	}
	ds, err := s.Store.PrizeDecisions(ctx, r.Edition)
	if err != nil {
		return nil, err
	}
	fin := map[int64]bool{}
	for _, d := range ds {
		if d.Kind == DecisionFinalist {
			fin[d.App] = true
		}
	}
	var out []*prize.Application
	for _, a := range apps {
		if fin[a.ID] {
			out = append(out, a)
		}
	}
	return out, nil
}

// Assign computes and stores the round's optimal assignment, keeping the
// chair's locks; partner judges are assigned only within their track, and
// every judge only within the panels (tracks) they sit on, if any.
func (s *Service) Assign(ctx context.Context, v Viewer, roundID int64) (*Assignment, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	judges, err := s.Store.PrizeJudges(ctx, r.Edition)
	if err != nil {
		return nil, err
	}
	apps, err := s.roundApps(ctx, r)
	if err != nil {
		return nil, err
	}
	bl, err := s.blocked(ctx, r.Edition)
	if err != nil {
		return nil, err
	}
	bids, err := s.Store.PrizeBids(ctx, r.Edition)
	if err != nil {
		return nil, err
	}
	locks, err := s.Store.PrizeAssignment(ctx, roundID)
	if err != nil {
		return nil, err
	}
	p := &Problem{K: r.K, Blocked: bl, Bids: bids, Pinned: map[[2]int64]bool{}, Forbid: map[[2]int64]bool{}}
	for _, l := range locks {
		if l.Pinned {
			p.Pinned[[2]int64{l.Judge, l.App}] = true
		}
		if l.Forbidden {
			p.Forbid[[2]int64{l.Judge, l.App}] = true
		}
	}
	for _, j := range judges {
		p.Judges = append(p.Judges, AJudge{ID: j.ID, Load: j.Load, Languages: j.Languages, Expertise: j.Expertise})
		panels := map[string]bool{}
		for _, t := range j.Tracks {
			panels[t] = true
		}
		for _, a := range apps {
			outside := (j.Role == RolePartner && a.Track != j.PartnerTrack) || (len(panels) > 0 && !panels[a.Track])
			if outside {
				p.Forbid[[2]int64{j.ID, a.ID}] = true
			}
		}
	}
	for _, a := range apps {
		lang := a.Answers.First("language")
		if lang == "" {
			lang = "en"
		}
		p.Apps = append(p.Apps, AApp{ID: a.ID, Language: lang, EnglishSummary: a.Summary() != "",
			Themes: a.Answers["themes"]})
	}
	out, err := Assign(p)
	if err != nil {
		return nil, err
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutPrizeAssignment(ctx, roundID, out.Pairs); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.assign", "round", fmt.Sprint(roundID), nil,
			map[string]any{"pairs": len(out.Pairs), "cost": out.Cost, "short": out.Short})
	})
	return out, err
}

// Lock pins or forbids a pair of a round (both false removes the lock).
func (s *Service) Lock(ctx context.Context, v Viewer, a Assigned) error {
	r, err := s.Store.PrizeRound(ctx, a.Round)
	if err != nil {
		return err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if a.Pinned {
		bl, err := s.blocked(ctx, r.Edition)
		if err != nil {
			return err
		}
		if bl[[2]int64{a.Judge, a.App}] {
			return citylens.Ef(citylens.ECONFLICT, "judging.err.pinconflict", "Judge %d cannot be pinned to application %d: they are in conflict or the pair is forbidden.", a.Judge, a.App)
		}
		j, err := s.Store.PrizeJudge(ctx, a.Judge)
		if err != nil || j.Edition != r.Edition {
			return citylens.Ef(citylens.ENOTFOUND, "judging.err.nojudge", "Judge %d not found.", a.Judge)
		}
		app, err := s.Prize.PrizeApplication(ctx, a.App)
		if err != nil || app.Edition != r.Edition {
			return notFoundApp(a.App)
		}
		if outsidePartnerTrack(j, app) {
			return citylens.Ef(citylens.EINVALID, "judging.err.pinpartner",
				"Judge %d is a partner's judge of the Special Mention track %q and cannot be pinned to application %d of track %q.",
				a.Judge, j.PartnerTrack, a.App, app.Track)
		}
	}
	return s.Store.PutPrizeLock(ctx, a)
}

// SaveScore saves a judge's sheet as a draft or submits it. The judge
// must be assigned, free of conflict, and the round open; a submission
// must score every required criterion within the scale.
func (s *Service) SaveScore(ctx context.Context, v Viewer, roundID, appID int64, sheet Sheet, submit bool) error {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return err
	}
	if _, err := s.SeeApplication(ctx, v, r.Edition, appID); err != nil {
		return err
	}
	j, err := s.judgeOf(ctx, r.Edition, v)
	if err != nil {
		return err
	}
	as, err := s.Store.PrizeAssignment(ctx, roundID)
	if err != nil {
		return err
	}
	assigned := false
	for _, a := range as {
		if a.Judge == j.ID && a.App == appID && a.Assigned {
			assigned = true
		}
	}
	if !assigned {
		return notFoundApp(appID)
	}
	if !s.now().Before(r.Closes) {
		return citylens.Ef(citylens.ECONFLICT, "judging.err.closed", "The round closed at %s; scores are no longer taken.", r.Closes.UTC().Format(time.RFC3339))
	}
	if err := r.Rubric.Check(sheet, submit); err != nil {
		return err
	}
	scores, err := s.Store.PrizeScores(ctx, roundID)
	if err != nil {
		return err
	}
	for _, x := range scores {
		if x.Judge == j.ID && x.App == appID && x.Submitted && !submit {
			return citylens.Ef(citylens.ECONFLICT, "judging.err.submitted", "These scores were submitted; they cannot go back to a draft.")
		}
	}
	return s.Store.PutPrizeScore(ctx, Scored{Round: roundID, Judge: j.ID, App: appID, Sheet: sheet, Submitted: submit, UpdatedAt: s.now()})
}

// Progress is a judge's work in a round.
type Progress struct {
	Judge     int64  `json:"judge"`
	Name      string `json:"name"`
	Assigned  int    `json:"assigned"`
	Drafts    int    `json:"drafts"`
	Submitted int    `json:"submitted"`
}

// RoundProgress is each judge's progress, for the administrator.
func (s *Service) RoundProgress(ctx context.Context, v Viewer, roundID int64) ([]Progress, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	judges, err := s.Store.PrizeJudges(ctx, r.Edition)
	if err != nil {
		return nil, err
	}
	as, err := s.Store.PrizeAssignment(ctx, roundID)
	if err != nil {
		return nil, err
	}
	scores, err := s.Store.PrizeScores(ctx, roundID)
	if err != nil {
		return nil, err
	}
	by := map[int64]*Progress{}
	var out []Progress
	for _, j := range judges {
		by[j.ID] = &Progress{Judge: j.ID, Name: j.Name}
	}
	for _, a := range as {
		if a.Assigned && by[a.Judge] != nil {
			by[a.Judge].Assigned++
		}
	}
	for _, x := range scores {
		if p := by[x.Judge]; p != nil {
			if x.Submitted {
				p.Submitted++
			} else {
				p.Drafts++
			}
		}
	}
	for _, j := range judges {
		out = append(out, *by[j.ID])
	}
	return out, nil
}

// RoundAssignment is the round's stored pairs (assigned and locked), for
// the committee; a chair in conflict with an application does not see
// its pairs.
func (s *Service) RoundAssignment(ctx context.Context, v Viewer, roundID int64) ([]Assigned, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	as, err := s.Store.PrizeAssignment(ctx, roundID)
	if err != nil || v.Admin {
		return as, err
	}
	hidden, err := s.hiddenFrom(ctx, r.Edition, v)
	if err != nil {
		return nil, err
	}
	out := []Assigned{}
	for _, a := range as {
		if !hidden[a.App] {
			out = append(out, a)
		}
	}
	return out, nil
}

// RemindLate e-mails every judge with assigned applications not yet
// submitted, and returns how many were reminded.
func (s *Service) RemindLate(ctx context.Context, v Viewer, roundID int64) (int, error) {
	ps, err := s.RoundProgress(ctx, v, roundID)
	if err != nil {
		return 0, err
	}
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		if p.Submitted >= p.Assigned {
			continue
		}
		j, err := s.Store.PrizeJudge(ctx, p.Judge)
		if err != nil {
			return n, err
		}
		body := fmt.Sprintf("Dear %s,\n\nYou have %d of %d applications still to submit in the %s round of the Seoul Smart City Prize %s, which closes at %s (UTC).\n",
			j.Name, p.Assigned-p.Submitted, p.Assigned, r.Kind, r.Edition, r.Closes.UTC().Format("2006-01-02 15:04"))
		if err := s.Mail.Send(ctx, citymail.Message{To: j.Email, Subject: "Seoul Smart City Prize: scores to submit", Body: body}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RoundReport is the committee's view of a round: the report with the
// applications the viewer may see (a chair in conflict does not see
// those applications at all, nor their scores).
func (s *Service) RoundReport(ctx context.Context, v Viewer, roundID int64) (Report, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return Report{}, err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return Report{}, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	hidden := map[int64]bool{}
	if !v.Admin {
		if hidden, err = s.hiddenFrom(ctx, r.Edition, v); err != nil {
			return Report{}, err
		}
	}
	scores, err := s.Store.PrizeScores(ctx, roundID)
	if err != nil {
		return Report{}, err
	}
	var sheets []Judged
	for _, x := range scores {
		if x.Submitted && !hidden[x.App] {
			sheets = append(sheets, Judged{App: x.App, Judge: x.Judge, Sheet: x.Sheet})
		}
	}
	return Analyse(r.Rubric, sheets, nil, r.Seed), nil
}

// Decide logs a decision (shortlist, finalist, winner with a grade,
// leadership award, special mention); who and when are kept.
func (s *Service) Decide(ctx context.Context, v Viewer, d *Decision) error {
	if !s.Committee(ctx, d.Edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	switch d.Kind {
	case DecisionShortlist, DecisionFinalist, DecisionLeader, DecisionMention:
	case DecisionWinner:
		if d.Grade == "" {
			return citylens.Ef(citylens.EINVALID, "judging.err.grade", "A winner needs a grade.")
		}
	default:
		return citylens.Ef(citylens.EINVALID, "judging.err.kind", "%q is not a kind of decision.", d.Kind)
	}
	if _, ok, err := s.Store.PrizeAnnounced(ctx, d.Edition); err != nil {
		return err
	} else if ok {
		return citylens.Ef(citylens.ECONFLICT, "judging.err.announced", "The results were announced; decisions are final.")
	}
	a, err := s.Prize.PrizeApplication(ctx, d.App)
	if err != nil || a.Edition != d.Edition {
		return notFoundApp(d.App)
	}
	if !v.Admin { // a chair in conflict does not decide on the application
		hidden, err := s.hiddenFrom(ctx, d.Edition, v)
		if err != nil {
			return err
		}
		if hidden[d.App] {
			return notFoundApp(d.App)
		}
	}
	if d.Kind == DecisionMention {
		// A partner's Special Mention goes only to an application of
		// that partner's Special Mention track.
		if d.Track != "" && d.Track != a.Track {
			return citylens.Ef(citylens.EINVALID, "judging.err.mentiontrack",
				"A Special Mention of track %q goes only to applications of that track; application %d is in track %q.", d.Track, d.App, a.Track)
		}
		if err := s.specialTrack(ctx, d.Edition, a.Track); err != nil {
			return citylens.Ef(citylens.EINVALID, "judging.err.mentionapp",
				"Application %d is in track %q, not a Special Mention track: a partner's Special Mention goes only to applications of its own track.", d.App, a.Track)
		}
	}
	if d.Track == "" {
		d.Track = a.Track
	}
	d.DecidedBy, d.DecidedAt = v.Email, s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddPrizeDecision(ctx, d); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.decide", "application", fmt.Sprint(d.App), nil, d)
	})
}

// Decisions returns the edition's decisions to v: all of them to the
// committee; after the announcement, the awards (winners, leadership,
// mentions) to everyone and each applicant's own decisions to them;
// before it, ENOTFOUND to everyone else — the same answer as an edition
// with no decisions, so the embargo does not even show that decisions
// exist.
func (s *Service) Decisions(ctx context.Context, v Viewer, edition string) ([]Decision, error) {
	ds, err := s.Store.PrizeDecisions(ctx, edition)
	if err != nil {
		return nil, err
	}
	if s.Committee(ctx, edition, v) {
		if v.Admin {
			return ds, nil
		}
		hidden, err := s.hiddenFrom(ctx, edition, v)
		if err != nil {
			return nil, err
		}
		var out []Decision
		for _, d := range ds {
			if !hidden[d.App] {
				out = append(out, d)
			}
		}
		return out, nil
	}
	_, announced, err := s.Store.PrizeAnnounced(ctx, edition)
	if err != nil {
		return nil, err
	}
	if !announced {
		return nil, citylens.Ef(citylens.ENOTFOUND, "judging.err.embargo", "The results of %s are not announced.", edition)
	}
	var out []Decision
	for _, d := range ds {
		if isAward(d.Kind) {
			d.DecidedBy = ""
			out = append(out, d)
			continue
		}
		if v.UserID != 0 {
			if a, err := s.Prize.PrizeApplication(ctx, d.App); err == nil && a.UserID == v.UserID {
				d.DecidedBy = ""
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func isAward(kind string) bool {
	return kind == DecisionWinner || kind == DecisionLeader || kind == DecisionMention
}

// Winner is one award as the public winners page shows it.
type Winner struct {
	App          int64  `json:"app"`
	Title        string `json:"title"`
	Organisation string `json:"organisation"`
	City         string `json:"city"`
	Country      string `json:"country"`
	Track        string `json:"track"`
	Kind         string `json:"kind"`
	Grade        string `json:"grade"`
}

// gradeOrder ranks grades for the winners page.
var gradeOrder = map[string]int{"gold": 0, "silver": 1, "bronze": 2}

// Winners is the public list of awards, after the announcement only
// (ENOTFOUND before, for everyone but the committee).
func (s *Service) Winners(ctx context.Context, v Viewer, edition string) ([]Winner, error) {
	ds, err := s.Decisions(ctx, v, edition)
	if err != nil {
		return nil, err
	}
	var out []Winner
	for _, d := range ds {
		if !isAward(d.Kind) {
			continue
		}
		a, err := s.Prize.PrizeApplication(ctx, d.App)
		if err != nil {
			return nil, err
		}
		out = append(out, Winner{App: a.ID, Title: a.Title, Organisation: a.Organisation, City: a.CityName, Country: a.Country,
			Track: d.Track, Kind: d.Kind, Grade: d.Grade})
	}
	kindOrder := map[string]int{DecisionWinner: 0, DecisionLeader: 1, DecisionMention: 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		ga, oka := gradeOrder[a.Grade]
		gb, okb := gradeOrder[b.Grade]
		if oka != okb {
			return oka
		}
		if ga != gb {
			return ga < gb
		}
		return a.App < b.App
	})
	return out, nil
}

// AnnouncedWinners is the awards of an announced edition, for public
// pages such as the past editions; ok is false (and no award read)
// before the announcement.
func (s *Service) AnnouncedWinners(ctx context.Context, edition string) (ws []Winner, ok bool, err error) {
	if _, ok, err := s.Store.PrizeAnnounced(ctx, edition); err != nil || !ok {
		return nil, false, err
	}
	ws, err = s.Winners(ctx, Viewer{}, edition)
	return ws, err == nil, err
}

// Announce lifts the embargo at the ceremony: from the ceremony's time
// on, by the administrator only, once. Every applicant in judging gets an
// e-mail with their outcome and the comments the committee chose to
// share (visibility applicant).
func (s *Service) Announce(ctx context.Context, v Viewer, edition string) (int, error) {
	if !v.Admin {
		return 0, citylens.Ef(citylens.EFORBIDDEN, "judging.err.adminonly", "Only the prize administrator may do this.")
	}
	e, err := s.Prize.PrizeEdition(ctx, edition)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if e.Ceremony.IsZero() || now.Before(e.Ceremony) {
		return 0, citylens.Ef(citylens.ECONFLICT, "judging.err.early", "The results can be announced from the ceremony (%s), not before.", e.Ceremony.UTC().Format(time.RFC3339))
	}
	apps, err := s.candidates(ctx, edition)
	if err != nil {
		return 0, err
	}
	ds, err := s.Store.PrizeDecisions(ctx, edition)
	if err != nil {
		return 0, err
	}
	cat, err := s.catalog()
	if err != nil {
		return 0, err
	}
	outcome := map[int64][]Decision{}
	for _, d := range ds {
		outcome[d.App] = append(outcome[d.App], d)
	}
	feedback, err := s.sharedFeedback(ctx, edition)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AnnouncePrize(ctx, edition, now, v.Email); err != nil {
			return err
		}
		for _, a := range apps {
			lang := ApplicantLang(a)
			var b strings.Builder
			b.WriteString(cat.T(lang, "judging.mail.results.body", edition, a.Ref(), a.Title) + " ")
			if o := outcome[a.ID]; len(o) > 0 {
				words := make([]string, len(o))
				for i, d := range o {
					words[i] = OutcomeText(cat, lang, d)
				}
				b.WriteString(strings.Join(words, ", ") + ".\n")
			} else {
				b.WriteString(cat.T(lang, "judging.mail.results.none") + "\n")
			}
			if fb := feedback[a.ID]; len(fb) > 0 {
				b.WriteString("\n" + cat.T(lang, "judging.mail.results.feedback") + "\n")
				for _, f := range fb {
					name := f.Criterion.Name
					if lang == i18n.Korean && f.Criterion.NameKO != "" {
						name = f.Criterion.NameKO
					}
					b.WriteString("- " + name + ": " + f.Text + "\n")
				}
			}
			if err := s.Mail.Send(ctx, citymail.Message{To: a.Email, Subject: cat.T(lang, "judging.mail.results.subject", edition), Body: b.String()}); err != nil {
				return err
			}
			n++
		}
		cases, err := s.publishAwards(ctx, v, edition, cat, ds)
		if err != nil {
			return err
		}
		for _, fn := range s.Announced {
			if err := fn(ctx, v.actor(), edition); err != nil {
				return err
			}
		}
		return auditlog.Record(ctx, s.Audit, now, v.actor(), "judging.announce", "edition", edition, nil, map[string]int{"mailed": n, "cases": cases})
	})
	return n, err
}

// publishAwards gives the library each awarded application with its
// awards ("Seoul Smart City Prize 2026: Winner (Gold)"), in the order
// decided; it returns how many became cases.
func (s *Service) publishAwards(ctx context.Context, v Viewer, edition string, cat *i18n.Catalog, ds []Decision) (int, error) {
	if s.Library == nil {
		return 0, nil
	}
	awards := map[int64][]string{}
	var order []int64
	for _, d := range ds {
		if !isAward(d.Kind) {
			continue
		}
		if awards[d.App] == nil {
			order = append(order, d.App)
		}
		awards[d.App] = append(awards[d.App], OutcomeText(cat, i18n.English, d))
	}
	n := 0
	for _, id := range order {
		a, err := s.Prize.PrizeApplication(ctx, id)
		if err != nil {
			return 0, err
		}
		ok, err := s.Library.PublishAward(ctx, v.actor(), a, "Seoul Smart City Prize "+edition+": "+strings.Join(awards[id], ", "))
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// feedbackItem is a comment shared with the applicant, under its criterion.
type feedbackItem struct {
	Criterion Criterion
	Text      string
}

// OutcomeText words decision d for an applicant in lang: "Winner (Gold)".
// A grade outside the catalogue (one an edition configured) is shown as
// it is.
func OutcomeText(cat *i18n.Catalog, lang i18n.Lang, d Decision) string {
	w := cat.T(lang, "judging.kind."+d.Kind)
	if d.Grade != "" {
		g := d.Grade
		if k := "judging.grade." + d.Grade; cat.Has(k) {
			g = cat.T(lang, k)
		}
		w += " (" + g + ")"
	}
	return w
}

// sharedFeedback is each application's comments marked for the applicant.
func (s *Service) sharedFeedback(ctx context.Context, edition string) (map[int64][]feedbackItem, error) {
	rounds, err := s.Store.PrizeRounds(ctx, edition)
	if err != nil {
		return nil, err
	}
	out := map[int64][]feedbackItem{}
	for _, r := range rounds {
		scores, err := s.Store.PrizeScores(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range scores {
			if !x.Submitted {
				continue
			}
			for _, c := range r.Rubric.Criteria {
				if cm, ok := x.Sheet.Comments[c.Code]; ok && cm.Visibility == VisibleApplicant && strings.TrimSpace(cm.Text) != "" {
					out[x.App] = append(out[x.App], feedbackItem{Criterion: c, Text: cm.Text})
				}
			}
		}
	}
	return out, nil
}

// WorkItem is one application a judge has to score in a round.
type WorkItem struct {
	Round  *Round             `json:"round"`
	App    *prize.Application `json:"app"`
	Scored *Scored            `json:"scored,omitempty"` // nil until saved
}

// Work is the viewer's assigned applications in the edition's rounds,
// without any they are in conflict with.
func (s *Service) Work(ctx context.Context, v Viewer, edition string) ([]WorkItem, error) {
	j, err := s.judgeOf(ctx, edition, v)
	if err != nil {
		return nil, err
	}
	bl, err := s.blocked(ctx, edition)
	if err != nil {
		return nil, err
	}
	rounds, err := s.Store.PrizeRounds(ctx, edition)
	if err != nil {
		return nil, err
	}
	var out []WorkItem
	for _, r := range rounds {
		as, err := s.Store.PrizeAssignment(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		scores, err := s.Store.PrizeScores(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		mine := map[int64]*Scored{}
		for i := range scores {
			if scores[i].Judge == j.ID {
				mine[scores[i].App] = &scores[i]
			}
		}
		for _, a := range as {
			if a.Judge != j.ID || !a.Assigned || bl[[2]int64{j.ID, a.App}] {
				continue
			}
			app, err := s.Prize.PrizeApplication(ctx, a.App)
			if err != nil {
				return nil, err
			}
			if outsidePartnerTrack(j, app) {
				continue
			}
			out = append(out, WorkItem{Round: r, App: app, Scored: mine[a.App]})
		}
	}
	return out, nil
}

// Sheet is the viewer's scoring page data for one application of a
// round: ENOTFOUND unless assigned and free of conflict.
func (s *Service) Sheet(ctx context.Context, v Viewer, roundID, appID int64) (WorkItem, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return WorkItem{}, err
	}
	items, err := s.Work(ctx, v, r.Edition)
	if err != nil {
		return WorkItem{}, err
	}
	for _, it := range items {
		if it.Round.ID == roundID && it.App.ID == appID {
			return it, nil
		}
	}
	return WorkItem{}, notFoundApp(appID)
}

// Editions is the editions the viewer judges (newest first).
func (s *Service) Editions(ctx context.Context, v Viewer) ([]*prize.Edition, error) {
	eds, err := s.Prize.PrizeEditions(ctx)
	if err != nil {
		return nil, err
	}
	var out []*prize.Edition
	for _, e := range eds {
		if v.Admin {
			out = append(out, e)
			continue
		}
		if _, err := s.Store.PrizeJudgeByUser(ctx, e.Code, v.UserID); err == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// hiddenFrom is the applications a judge (the chair included) is in
// conflict with: left out of every committee view they read.
func (s *Service) hiddenFrom(ctx context.Context, edition string, v Viewer) (map[int64]bool, error) {
	j, err := s.judgeOf(ctx, edition, v)
	if err != nil {
		return nil, err
	}
	bl, err := s.blocked(ctx, edition)
	if err != nil {
		return nil, err
	}
	hidden := map[int64]bool{}
	for k := range bl {
		if k[0] == j.ID {
			hidden[k[1]] = true
		}
	}
	return hidden, nil
}
