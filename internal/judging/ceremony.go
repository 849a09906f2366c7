package judging

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/i18n"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/prize"
)

// The ceremony of an edition: the finalists' presentation slots, their
// invitations and attendance, and the programme. Everything here names
// an edition and (for slots and invitations) an application, so a later
// generic event (internal/events) can link to the ceremony by edition
// code without judging knowing about it.

// Bounds of the ceremony's records.
const (
	MaxSlotMinutes   = 240
	MaxRoom          = 200 // characters of a room or a link
	MaxAttendees     = 10
	MaxAttendeeName  = 200
	MaxTravel        = 2000 // characters of the travel needs
	MaxProgramme     = 100  // items
	MaxProgrammeText = 300  // characters of an item's title or place
)

// Slot is a finalist's presentation in the finalist round: when, for how
// long, and where (a room, or a link for one presenting remotely). The
// judges of a slot are the round's judges assigned to the application.
type Slot struct {
	ID      int64     `json:"id"`
	Round   int64     `json:"round"`
	App     int64     `json:"app"`
	Starts  time.Time `json:"starts"`
	Minutes int       `json:"minutes"`
	Room    string    `json:"room"`
	Link    string    `json:"link"`
}

// Ends is when the slot ends.
func (s Slot) Ends() time.Time { return s.Starts.Add(time.Duration(s.Minutes) * time.Minute) }

func (s Slot) overlaps(o Slot) bool { return s.Starts.Before(o.Ends()) && o.Starts.Before(s.Ends()) }

// Invitation states.
const (
	InviteSent      = "invited"
	InviteConfirmed = "confirmed"
	InviteDeclined  = "declined"
)

// Invitation is a finalist's invitation to the ceremony and its answer:
// who attends and what travel they need. It says "finalist", never a
// grade: it is sent before the announcement.
type Invitation struct {
	Edition     string    `json:"edition"`
	App         int64     `json:"app"`
	Lang        string    `json:"lang"` // the language it was sent in
	Status      string    `json:"status"`
	Attendees   []string  `json:"attendees"`
	Travel      string    `json:"travel"`
	SentAt      time.Time `json:"sent_at"`
	RespondedAt time.Time `json:"responded_at"`
}

// ProgrammeItem is one item of the ceremony's programme, in order.
type ProgrammeItem struct {
	Edition  string    `json:"edition"`
	Position int       `json:"position"`
	Starts   time.Time `json:"starts"`
	Minutes  int       `json:"minutes"`
	Title    string    `json:"title"`
	TitleKO  string    `json:"title_ko"`
	Place    string    `json:"place"`
}

// ApplicantLang is the language an applicant is written to in: Korean
// when the project's original language (the form's original_language
// answer) is Korean, English otherwise.
func ApplicantLang(a *prize.Application) i18n.Lang {
	if a.Answers.First(prize.FieldOriginal) == "ko" {
		return i18n.Korean
	}
	return i18n.English
}

var (
	catalogOnce sync.Once
	catalogDflt *i18n.Catalog
	catalogErr  error
)

func (s *Service) catalog() (*i18n.Catalog, error) {
	if s.Catalog != nil {
		return s.Catalog, nil
	}
	catalogOnce.Do(func() { catalogDflt, catalogErr = i18n.Load() })
	return catalogDflt, catalogErr
}

// finalists is the edition's applications decided as finalists.
func (s *Service) finalists(ctx context.Context, edition string) (map[int64]bool, error) {
	ds, err := s.Store.PrizeDecisions(ctx, edition)
	if err != nil {
		return nil, err
	}
	fin := map[int64]bool{}
	for _, d := range ds {
		if d.Kind == DecisionFinalist {
			fin[d.App] = true
		}
	}
	return fin, nil
}

// slotWhen is a slot's time as an error names it: in the edition's zone.
func slotWhen(sl Slot, loc *time.Location) string {
	return sl.Starts.In(loc).Format("2006-01-02 15:04") + "–" + sl.Ends().In(loc).Format("15:04")
}

// ScheduleSlot adds (ID 0) or moves a finalist's presentation slot in the
// finalist round. A slot overlapping another of the same application, of
// a judge of both, or in the same room is refused naming that slot.
func (s *Service) ScheduleSlot(ctx context.Context, v Viewer, sl *Slot) error {
	r, err := s.Store.PrizeRound(ctx, sl.Round)
	if err != nil {
		return err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if r.Kind != RoundFinalist {
		return citylens.Ef(citylens.EINVALID, "judging.err.slotround", "Presentation slots belong to the finalist round.")
	}
	if _, ok, err := s.Store.PrizeAnnounced(ctx, r.Edition); err != nil {
		return err
	} else if ok {
		return citylens.Ef(citylens.ECONFLICT, "judging.err.announced", "The results were announced; decisions are final.")
	}
	fin, err := s.finalists(ctx, r.Edition)
	if err != nil {
		return err
	}
	if !fin[sl.App] {
		return citylens.Ef(citylens.EINVALID, "judging.err.notfinalist", "Application %d is not a finalist.", sl.App)
	}
	if !v.Admin {
		hidden, err := s.hiddenFrom(ctx, r.Edition, v)
		if err != nil {
			return err
		}
		if hidden[sl.App] {
			return notFoundApp(sl.App)
		}
	}
	sl.Room, sl.Link = strings.TrimSpace(sl.Room), strings.TrimSpace(sl.Link)
	var ps []citylens.Problem
	if sl.Starts.IsZero() {
		ps = append(ps, citylens.Problem{Field: "starts"}.Keyed("judging.slot.starts", "a slot needs a start time"))
	}
	if sl.Minutes < 5 || sl.Minutes > MaxSlotMinutes {
		ps = append(ps, citylens.Problem{Field: "minutes"}.Keyed("judging.slot.minutes", "the duration must be between 5 and %d minutes", MaxSlotMinutes))
	}
	if sl.Room == "" && sl.Link == "" {
		ps = append(ps, citylens.Problem{Field: "room"}.Keyed("judging.slot.where", "a slot needs a room or a link"))
	}
	if utf8.RuneCountInString(sl.Room) > MaxRoom || utf8.RuneCountInString(sl.Link) > MaxRoom {
		ps = append(ps, citylens.Problem{Field: "room"}.Keyed("judging.slot.toolong", "a room or link is longer than %d characters", MaxRoom))
	}
	if sl.Link != "" && !strings.HasPrefix(sl.Link, "https://") {
		ps = append(ps, citylens.Problem{Field: "link"}.Keyed("judging.slot.link", "a link must start with https://"))
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "judging.err.slot", "The slot was not saved: correct the fields named below.").WithProblems(ps...)
	}
	e, err := s.Prize.PrizeEdition(ctx, r.Edition)
	if err != nil {
		return err
	}
	loc := e.Location()
	slots, err := s.Store.PrizeSlots(ctx, sl.Round)
	if err != nil {
		return err
	}
	if sl.ID != 0 { // a move: the slot must be one the viewer sees
		visible, err := s.Slots(ctx, v, sl.Round)
		if err != nil {
			return err
		}
		found := false
		for _, o := range visible {
			found = found || o.ID == sl.ID
		}
		if !found {
			return citylens.Ef(citylens.ENOTFOUND, "judging.err.noslot", "Slot %d not found.", sl.ID)
		}
	}
	as, err := s.Store.PrizeAssignment(ctx, sl.Round)
	if err != nil {
		return err
	}
	judgesOf := map[int64]map[int64]bool{}
	for _, a := range as {
		if a.Assigned {
			if judgesOf[a.App] == nil {
				judgesOf[a.App] = map[int64]bool{}
			}
			judgesOf[a.App][a.Judge] = true
		}
	}
	for _, o := range slots {
		if o.ID == sl.ID || !o.overlaps(*sl) {
			continue
		}
		switch {
		case o.App == sl.App:
			return citylens.Ef(citylens.ECONFLICT, "judging.err.clashapp", "The slot clashes with slot %d (%s) of the same finalist.", o.ID, slotWhen(o, loc))
		case o.Room != "" && strings.EqualFold(o.Room, sl.Room):
			return citylens.Ef(citylens.ECONFLICT, "judging.err.clashroom", "The slot clashes with slot %d (%s) in the same room.", o.ID, slotWhen(o, loc))
		}
		for j := range judgesOf[sl.App] {
			if judgesOf[o.App][j] {
				return citylens.Ef(citylens.ECONFLICT, "judging.err.clashjudge", "The slot clashes with slot %d (%s): judge %d sits on both.", o.ID, slotWhen(o, loc), j)
			}
		}
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutPrizeSlot(ctx, sl); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.slot", "application", fmt.Sprint(sl.App), nil, sl)
	})
}

// DeleteSlot removes a presentation slot of the finalist round: the
// committee only (a chair not a slot of an application they are in
// conflict with), until the announcement.
func (s *Service) DeleteSlot(ctx context.Context, v Viewer, roundID, slotID int64) error {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return err
	}
	if !s.Committee(ctx, r.Edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if _, ok, err := s.Store.PrizeAnnounced(ctx, r.Edition); err != nil {
		return err
	} else if ok {
		return citylens.Ef(citylens.ECONFLICT, "judging.err.announced", "The results were announced; decisions are final.")
	}
	slots, err := s.Slots(ctx, v, roundID)
	if err != nil {
		return err
	}
	for _, sl := range slots {
		if sl.ID != slotID {
			continue
		}
		return s.Store.InTx(ctx, func(ctx context.Context) error {
			if err := s.Store.DeletePrizeSlot(ctx, roundID, slotID); err != nil {
				return err
			}
			return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.slot.delete", "application", fmt.Sprint(sl.App), sl, nil)
		})
	}
	return citylens.Ef(citylens.ENOTFOUND, "judging.err.noslot", "Slot %d not found.", slotID)
}

// Slots is the finalist round's slots by start time: the committee sees
// all of them but those of applications they are in conflict with; a
// judge sees the slots of the applications assigned to them; a finalist
// sees their own. Everyone else gets none.
func (s *Service) Slots(ctx context.Context, v Viewer, roundID int64) ([]Slot, error) {
	r, err := s.Store.PrizeRound(ctx, roundID)
	if err != nil {
		return nil, err
	}
	slots, err := s.Store.PrizeSlots(ctx, roundID)
	if err != nil {
		return nil, err
	}
	var see func(app int64) bool
	switch {
	case v.Admin:
		see = func(int64) bool { return true }
	default:
		mine := map[int64]bool{}
		if j, err := s.judgeOf(ctx, r.Edition, v); err == nil {
			hidden, err := s.hiddenFrom(ctx, r.Edition, v)
			if err != nil {
				return nil, err
			}
			as, err := s.Store.PrizeAssignment(ctx, roundID)
			if err != nil {
				return nil, err
			}
			chair := j.Role == RoleChair
			for _, sl := range slots {
				mine[sl.App] = chair && !hidden[sl.App]
			}
			for _, a := range as {
				if a.Judge == j.ID && a.Assigned && !hidden[a.App] {
					mine[a.App] = true
				}
			}
		}
		for _, sl := range slots {
			if !mine[sl.App] && v.UserID != 0 {
				if a, err := s.Prize.PrizeApplication(ctx, sl.App); err == nil && a.UserID == v.UserID {
					mine[sl.App] = true
				}
			}
		}
		see = func(app int64) bool { return mine[app] }
	}
	var out []Slot
	for _, sl := range slots {
		if see(sl.App) {
			out = append(out, sl)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Starts.Before(out[j].Starts) })
	return out, nil
}

// InviteFinalists sends each finalist not yet invited an invitation to
// the ceremony, in the applicant's language, through the mail outbox:
// the ceremony's time in the edition's time zone and their presentation
// slot, if scheduled. It says "finalist" and nothing more, whatever the
// committee has decided since. It returns how many were invited.
func (s *Service) InviteFinalists(ctx context.Context, v Viewer, edition string) (int, error) {
	if !s.Committee(ctx, edition, v) {
		return 0, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	e, err := s.Prize.PrizeEdition(ctx, edition)
	if err != nil {
		return 0, err
	}
	if e.Ceremony.IsZero() {
		return 0, citylens.Ef(citylens.EINVALID, "judging.err.noceremony", "The edition has no ceremony time.")
	}
	if _, ok, err := s.Store.PrizeAnnounced(ctx, edition); err != nil {
		return 0, err
	} else if ok {
		return 0, citylens.Ef(citylens.ECONFLICT, "judging.err.announced", "The results were announced; decisions are final.")
	}
	cat, err := s.catalog()
	if err != nil {
		return 0, err
	}
	fin, err := s.finalists(ctx, edition)
	if err != nil {
		return 0, err
	}
	invs, err := s.Store.PrizeInvitations(ctx, edition)
	if err != nil {
		return 0, err
	}
	sent := map[int64]bool{}
	for _, in := range invs {
		sent[in.App] = true
	}
	slotOf := map[int64]Slot{}
	rounds, err := s.Store.PrizeRounds(ctx, edition)
	if err != nil {
		return 0, err
	}
	for _, r := range rounds {
		if r.Kind != RoundFinalist {
			continue
		}
		slots, err := s.Store.PrizeSlots(ctx, r.ID)
		if err != nil {
			return 0, err
		}
		for _, sl := range slots {
			slotOf[sl.App] = sl
		}
	}
	var apps []int64
	for id := range fin {
		if !sent[id] {
			apps = append(apps, id)
		}
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i] < apps[j] })
	loc := e.Location()
	now := s.now()
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, id := range apps {
			a, err := s.Prize.PrizeApplication(ctx, id)
			if err != nil {
				return err
			}
			lang := ApplicantLang(a)
			var b strings.Builder
			b.WriteString(cat.T(lang, "judging.mail.invite.body", edition, a.Ref(), a.Title,
				e.Ceremony.In(loc).Format("2006-01-02 15:04"), e.TimeZone) + "\n")
			if sl, ok := slotOf[id]; ok {
				where := sl.Room
				if where == "" {
					where = sl.Link
				}
				b.WriteString("\n" + cat.T(lang, "judging.mail.invite.slot", sl.Starts.In(loc).Format("2006-01-02 15:04"), e.TimeZone, sl.Minutes, where) + "\n")
			}
			b.WriteString("\n" + cat.T(lang, "judging.mail.invite.confirm") + "\n")
			if err := s.Store.PutPrizeInvitation(ctx, Invitation{Edition: edition, App: id, Lang: string(lang), Status: InviteSent,
				Attendees: []string{}, SentAt: now}); err != nil {
				return err
			}
			if err := s.Mail.Send(ctx, citymail.Message{To: a.Email, Subject: cat.T(lang, "judging.mail.invite.subject", edition), Body: b.String()}); err != nil {
				return err
			}
			n++
		}
		return auditlog.Record(ctx, s.Audit, now, v.actor(), "judging.invite", "edition", edition, nil, map[string]int{"invited": n})
	})
	return n, err
}

// Invitation is the finalist's invitation to application appID: to its
// applicant and to the committee; ENOTFOUND to everyone else, as for an
// application not invited.
func (s *Service) Invitation(ctx context.Context, v Viewer, appID int64) (*Invitation, error) {
	a, err := s.Prize.PrizeApplication(ctx, appID)
	if err != nil {
		return nil, notFoundApp(appID)
	}
	if !(v.UserID != 0 && a.UserID == v.UserID) && !s.Committee(ctx, a.Edition, v) {
		return nil, notFoundApp(appID)
	}
	invs, err := s.Store.PrizeInvitations(ctx, a.Edition)
	if err != nil {
		return nil, err
	}
	for i := range invs {
		if invs[i].App == appID {
			return &invs[i], nil
		}
	}
	return nil, notFoundApp(appID)
}

// RespondInvitation is the applicant's answer to their invitation: who
// attends and their travel needs (attend), or that they decline. Only
// the applicant answers, until the ceremony begins.
func (s *Service) RespondInvitation(ctx context.Context, v Viewer, appID int64, attend bool, attendees []string, travel string) error {
	a, err := s.Prize.PrizeApplication(ctx, appID)
	if err != nil || v.UserID == 0 || a.UserID != v.UserID {
		return notFoundApp(appID)
	}
	in, err := s.Invitation(ctx, v, appID)
	if err != nil {
		return err
	}
	e, err := s.Prize.PrizeEdition(ctx, a.Edition)
	if err != nil {
		return err
	}
	if !s.now().Before(e.Ceremony) {
		return citylens.Ef(citylens.ECONFLICT, "judging.err.ceremonypast", "The ceremony has begun; attendance can no longer be changed.")
	}
	var names []string
	var ps []citylens.Problem
	for i, n := range attendees {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if utf8.RuneCountInString(n) > MaxAttendeeName {
			ps = append(ps, citylens.Problem{Field: fmt.Sprintf("attendees[%d]", i)}.Keyed("judging.invite.name", "a name is longer than %d characters", MaxAttendeeName))
		}
		names = append(names, n)
	}
	travel = strings.TrimSpace(travel)
	if attend && len(names) == 0 {
		ps = append(ps, citylens.Problem{Field: "attendees"}.Keyed("judging.invite.noone", "name at least one person who attends"))
	}
	if len(names) > MaxAttendees {
		ps = append(ps, citylens.Problem{Field: "attendees"}.Keyed("judging.invite.many", "at most %d people attend per finalist", MaxAttendees))
	}
	if utf8.RuneCountInString(travel) > MaxTravel {
		ps = append(ps, citylens.Problem{Field: "travel"}.Keyed("judging.invite.travel", "the travel needs are longer than %d characters", MaxTravel))
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "judging.err.attendance", "The answer was not saved: correct the fields named below.").WithProblems(ps...)
	}
	in.Status, in.Attendees, in.Travel, in.RespondedAt = InviteConfirmed, names, travel, s.now()
	if !attend {
		in.Status, in.Attendees, in.Travel = InviteDeclined, []string{}, ""
	}
	if in.Attendees == nil {
		in.Attendees = []string{}
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutPrizeInvitation(ctx, *in); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.attendance", "application", fmt.Sprint(appID), nil, in)
	})
}

// Invitations is the edition's invitations and answers, for the committee.
func (s *Service) Invitations(ctx context.Context, v Viewer, edition string) ([]Invitation, error) {
	if !s.Committee(ctx, edition, v) {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	invs, err := s.Store.PrizeInvitations(ctx, edition)
	if err != nil || v.Admin {
		return invs, err
	}
	// A chair never learns of an application they are in conflict with,
	// not even that it was invited.
	hidden, err := s.hiddenFrom(ctx, edition, v)
	if err != nil {
		return nil, err
	}
	out := invs[:0]
	for _, in := range invs {
		if !hidden[in.App] {
			out = append(out, in)
		}
	}
	return out, nil
}

// AttendanceRow is one invitation with the finalist it invites, as the
// committee reads the answers.
type AttendanceRow struct {
	Invitation
	Ref          string `json:"ref"`
	Title        string `json:"title"`
	Organisation string `json:"organisation"`
	City         string `json:"city"`
	Country      string `json:"country"`
}

// Attendance is the edition's invitations with their finalists and the
// count of each answer; NoAnswer counts invitations still "invited".
type Attendance struct {
	Rows      []AttendanceRow `json:"rows"`
	Confirmed int             `json:"confirmed"`
	Declined  int             `json:"declined"`
	NoAnswer  int             `json:"no_answer"`
	People    int             `json:"people"` // attendees named by the confirmed finalists
}

// Attendance is the committee's view of the invitations' answers (the
// secretariat's event page reads the same): every invitation by
// application (a chair's without those of applications they are in
// conflict with, as Invitations). Everyone else is refused.
func (s *Service) Attendance(ctx context.Context, v Viewer, edition string) (*Attendance, error) {
	invs, err := s.Invitations(ctx, v, edition)
	if err != nil {
		return nil, err
	}
	out := &Attendance{Rows: []AttendanceRow{}}
	for _, in := range invs {
		a, err := s.Prize.PrizeApplication(ctx, in.App)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, AttendanceRow{Invitation: in, Ref: a.Ref(), Title: a.Title, Organisation: a.Organisation,
			City: a.CityName, Country: a.Country})
		switch in.Status {
		case InviteConfirmed:
			out.Confirmed++
			out.People += len(in.Attendees)
		case InviteDeclined:
			out.Declined++
		default:
			out.NoAnswer++
		}
	}
	return out, nil
}

// SetProgramme replaces the ceremony's programme: items in order, each
// starting no earlier than the one before, none after the next day of the
// ceremony. The committee only.
func (s *Service) SetProgramme(ctx context.Context, v Viewer, edition string, items []ProgrammeItem) error {
	if !s.Committee(ctx, edition, v) {
		return citylens.Ef(citylens.EFORBIDDEN, "judging.err.committee", "Only the committee may do this.")
	}
	if len(items) > MaxProgramme {
		return citylens.Ef(citylens.EINVALID, "judging.err.programmelong", "A programme has at most %d items.", MaxProgramme)
	}
	var ps []citylens.Problem
	for i := range items {
		it := &items[i]
		it.Edition, it.Position = edition, i+1
		it.Title, it.TitleKO, it.Place = strings.TrimSpace(it.Title), strings.TrimSpace(it.TitleKO), strings.TrimSpace(it.Place)
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		if it.Title == "" || it.TitleKO == "" {
			ps = append(ps, citylens.Problem{Field: f("title")}.Keyed("judging.programme.title", "an item needs a title in English and Korean"))
		}
		if utf8.RuneCountInString(it.Title) > MaxProgrammeText || utf8.RuneCountInString(it.TitleKO) > MaxProgrammeText ||
			utf8.RuneCountInString(it.Place) > MaxProgrammeText {
			ps = append(ps, citylens.Problem{Field: f("title")}.Keyed("judging.programme.toolong", "a title or place is longer than %d characters", MaxProgrammeText))
		}
		if it.Starts.IsZero() {
			ps = append(ps, citylens.Problem{Field: f("starts")}.Keyed("judging.programme.starts", "an item needs a start time"))
		} else if i > 0 && it.Starts.Before(items[i-1].Starts) {
			ps = append(ps, citylens.Problem{Field: f("starts")}.Keyed("judging.programme.order", "an item starts before the one above it"))
		}
		if it.Minutes < 0 || it.Minutes > 24*60 {
			ps = append(ps, citylens.Problem{Field: f("minutes")}.Keyed("judging.programme.minutes", "the duration must be between 0 and 1440 minutes"))
		}
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "judging.err.programme", "The programme was not saved: correct the items named below.").WithProblems(ps...)
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutPrizeProgramme(ctx, edition, items); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.now(), v.actor(), "judging.programme", "edition", edition, nil, items)
	})
}

// Programme is the ceremony's programme, public: it names no decision.
func (s *Service) Programme(ctx context.Context, edition string) ([]ProgrammeItem, error) {
	return s.Store.PrizeProgramme(ctx, edition)
}

// Ceremony is what a finalist reads of the ceremony: their invitation,
// their presentation slot (nil when none is scheduled) and the programme.
type Ceremony struct {
	Edition    *prize.Edition
	App        *prize.Application
	Invitation *Invitation
	Slot       *Slot
	Programme  []ProgrammeItem
}

// CeremonyFor is application appID's ceremony, to its applicant and the
// committee; ENOTFOUND to everyone else and for an application not
// invited.
func (s *Service) CeremonyFor(ctx context.Context, v Viewer, appID int64) (*Ceremony, error) {
	in, err := s.Invitation(ctx, v, appID)
	if err != nil {
		return nil, err
	}
	a, err := s.Prize.PrizeApplication(ctx, appID)
	if err != nil {
		return nil, err
	}
	e, err := s.Prize.PrizeEdition(ctx, a.Edition)
	if err != nil {
		return nil, err
	}
	c := &Ceremony{Edition: e, App: a, Invitation: in}
	rounds, err := s.Store.PrizeRounds(ctx, a.Edition)
	if err != nil {
		return nil, err
	}
	for _, r := range rounds {
		if r.Kind != RoundFinalist {
			continue
		}
		slots, err := s.Store.PrizeSlots(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for i := range slots {
			if slots[i].App == appID {
				c.Slot = &slots[i]
			}
		}
	}
	if c.Programme, err = s.Store.PrizeProgramme(ctx, a.Edition); err != nil {
		return nil, err
	}
	return c, nil
}
