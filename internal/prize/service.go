package prize

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
)

// Who is the person acting, as the prize's rules see them.
type Who struct {
	UserID     int64
	Email      string
	Role       accounts.Role
	City       string // a focal point's city
	RemoteAddr string
}

// Actor is who the audit log names.
func (w Who) Actor() auditlog.Actor {
	return auditlog.Actor{UserID: w.UserID, Email: w.Email, RemoteAddr: w.RemoteAddr}
}

// Admin reports whether w is the secretariat (prize administrator).
func (w Who) Admin() bool { return w.Role == accounts.RoleAdmin }

// CanApply reports whether w's role applies: applicants, and focal points
// for their city's government.
func (w Who) CanApply() bool { return w.Role == accounts.RoleApplicant || w.Role == accounts.RoleFocal }

// EndorsementLifetime is how long an official's e-mailed link works.
const EndorsementLifetime = 30 * 24 * time.Hour

// Service applies the prize's rules.
type Service struct {
	Store     Store
	Directory Directory
	Accounts  *accounts.Service
	Audit     auditlog.Store
	Mail      citymail.Sender
	Now       func() time.Time
	BaseURL   string
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// At is the service with its clock set to now (the demo seeds what
// happened at other times), with a cache of its own.
func (s *Service) At(now func() time.Time) *Service {
	return &Service{Store: s.Store, Directory: s.Directory, Accounts: s.Accounts, Audit: s.Audit,
		Mail: s.Mail, Now: now, BaseURL: s.BaseURL}
}

func (s *Service) link(path string) string { return strings.TrimSuffix(s.BaseURL, "/") + path }

func (s *Service) record(ctx context.Context, who auditlog.Actor, action, typ, id string, before, after any) error {
	return auditlog.Record(ctx, s.Audit, s.now(), who, action, typ, id, before, after)
}

// SeedEdition creates an edition with the real prize's tracks, their
// eligibility and the default form.
func (s *Service) SeedEdition(ctx context.Context, actor auditlog.Actor, e *Edition) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.CreatedAt, e.UpdatedAt = s.now(), s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreatePrizeEdition(ctx, e); err != nil {
			return err
		}
		for _, t := range DefaultTracks(e.Code) {
			if err := s.Store.PutPrizeTrack(ctx, t); err != nil {
				return err
			}
		}
		if err := s.Store.PutPrizeEligibility(ctx, e.Code, DefaultEligibility()); err != nil {
			return err
		}
		if err := s.Store.PutPrizeForm(ctx, e.Code, "", "", DefaultForm()); err != nil {
			return err
		}
		return s.record(ctx, actor, "prize.edition.create", "prize_edition", e.Code, nil, e)
	})
}

// UpdateEdition changes an edition's texts, time zone, dates and
// publication.
func (s *Service) UpdateEdition(ctx context.Context, actor auditlog.Actor, e *Edition) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := s.Store.PrizeEdition(ctx, e.Code)
		if err != nil {
			return err
		}
		e.CreatedAt, e.UpdatedAt = old.CreatedAt, s.now()
		if err := s.Store.UpdatePrizeEdition(ctx, e); err != nil {
			return err
		}
		return s.record(ctx, actor, "prize.edition.update", "prize_edition", e.Code, old, e)
	})
}

// SetEligibility replaces an edition's eligibility grid: for each track,
// the applicant types that may apply.
func (s *Service) SetEligibility(ctx context.Context, actor auditlog.Actor, edition string, rows []Eligibility) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		tracks, err := s.Store.PrizeTracks(ctx, edition)
		if err != nil {
			return err
		}
		known := map[string]bool{}
		for _, t := range tracks {
			known[t.Code] = true
		}
		for _, r := range rows {
			if !known[r.Track] || !ValidApplicantType(r.ApplicantType) {
				return citylens.Ef(citylens.EINVALID, "prize.error.eligibility", "unknown track %q or applicant type %q", r.Track, r.ApplicantType)
			}
		}
		before, err := s.Store.PrizeEligibility(ctx, edition)
		if err != nil {
			return err
		}
		if err := s.Store.PutPrizeEligibility(ctx, edition, rows); err != nil {
			return err
		}
		return s.record(ctx, actor, "prize.eligibility.update", "prize_edition", edition, before, rows)
	})
}

// SetForm stores the form of a track and applicant type ("" for the
// edition's default or every type) after checking it.
func (s *Service) SetForm(ctx context.Context, actor auditlog.Actor, edition, track, applicantType string, f *Form) error {
	if err := f.Check(); err != nil {
		return err
	}
	if applicantType != "" && !ValidApplicantType(applicantType) {
		return citylens.Ef(citylens.EINVALID, "prize.error.applicant_type", "%q is not an applicant type", applicantType)
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.Store.PrizeEdition(ctx, edition); err != nil {
			return err
		}
		if err := s.Store.PutPrizeForm(ctx, edition, track, applicantType, f); err != nil {
			return err
		}
		return s.record(ctx, actor, "prize.form.update", "prize_form", edition+"/"+track+"/"+applicantType, nil, f)
	})
}

// FormFor is the form of a track and applicant type: its own, the
// track's, the edition's, or the default form.
func (s *Service) FormFor(ctx context.Context, edition, track, applicantType string) (*Form, error) {
	for _, k := range [][2]string{{track, applicantType}, {track, ""}, {"", applicantType}, {"", ""}} {
		f, err := s.Store.PrizeForm(ctx, edition, k[0], k[1])
		if err == nil {
			return f, nil
		}
		if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return nil, err
		}
	}
	return DefaultForm(), nil
}

// OpenEdition is the published edition whose call is open at now, else
// the latest published one; ENOTFOUND if none is published.
func (s *Service) OpenEdition(ctx context.Context) (*Edition, error) {
	eds, err := s.Store.PrizeEditions(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var latest *Edition
	for _, e := range eds {
		if !e.Published {
			continue
		}
		if e.Phase(now) == PhaseOpen || e.Phase(now) == PhaseUpcoming {
			return e, nil
		}
		if latest == nil {
			latest = e
		}
	}
	if latest == nil {
		return nil, citylens.Ef(citylens.ENOTFOUND, "prize.error.no_edition", "no prize edition is published")
	}
	return latest, nil
}

// Register signs up an applicant: an account waiting for its e-mail to be
// confirmed (through a link mailed to it, where the password is chosen)
// and its organisation profile, in one transaction.
func (s *Service) Register(ctx context.Context, email, name string, p Profile, remoteAddr string) (accounts.User, error) {
	if err := p.Check(); err != nil {
		return accounts.User{}, err
	}
	var u accounts.User
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.Accounts.Register(ctx, accounts.User{Email: email, Name: name, Role: accounts.RoleApplicant}, remoteAddr)
		if err != nil {
			return err
		}
		p.UserID, p.UpdatedAt = u.ID, s.now()
		if err := s.Store.PutPrizeProfile(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, auditlog.Actor{UserID: u.ID, Email: u.Email, RemoteAddr: remoteAddr}, "prize.profile.create", "prize_profile", u.Email, nil, p)
	})
	return u, err
}

// Check checks a profile's fields.
func (p *Profile) Check() error {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	p.Organisation, p.CityName, p.Website, p.Contact = strings.TrimSpace(p.Organisation), strings.TrimSpace(p.CityName), strings.TrimSpace(p.Website), strings.TrimSpace(p.Contact)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	if !ValidApplicantType(p.Type) {
		add("type", "prize.error.applicant_type", "%q is not an applicant type", p.Type)
	}
	if p.Organisation == "" {
		add("organisation", "prize.error.required", "required")
	}
	if !validCountry(p.Country) {
		add("country", "prize.error.country", "%q is not a country code (ISO 3166 alpha-3, such as KOR)", p.Country)
	}
	if p.Website != "" {
		if u, err := url.Parse(p.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("website", "prize.error.link", "%q is not an http or https address", p.Website)
		}
	}
	for _, f := range []struct{ name, v string }{{"organisation", p.Organisation}, {"city_name", p.CityName}, {"website", p.Website}, {"contact", p.Contact}} {
		if len(f.v) > 300 {
			add(f.name, "prize.error.too_long", "at most %d characters", 300)
		}
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "prize.error.profile", "the profile was not saved: correct the fields named below").WithProblems(ps...)
	}
	return nil
}

// SaveProfile stores the viewer's organisation profile. A focal point's
// profile is its city's government.
func (s *Service) SaveProfile(ctx context.Context, who Who, p Profile) error {
	if !who.CanApply() {
		return citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_applicant", "only applicants and city focal points apply")
	}
	p.UserID = who.UserID
	if who.Role == accounts.RoleFocal {
		p.Type, p.CityCode = TypeLocalGov, who.City
	}
	if err := p.Check(); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if p.CityCode != "" {
			c, err := s.Directory.City(ctx, p.CityCode)
			if err != nil {
				return citylens.Ef(citylens.EINVALID, "prize.error.city", "%q is not a member city", p.CityCode).
					WithProblems(citylens.Problem{Field: "city_code"}.Keyed("prize.error.city", "%q is not a member city", p.CityCode))
			}
			if p.CityName == "" {
				p.CityName = c.Name
			}
		}
		before, err := s.Store.PrizeProfile(ctx, who.UserID)
		if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		p.UpdatedAt = s.now()
		if err := s.Store.PutPrizeProfile(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, who.Actor(), "prize.profile.update", "prize_profile", who.Email, before, p)
	})
}

// Profile is the viewer's profile; a focal point without one gets its
// city's government's, unsaved.
func (s *Service) Profile(ctx context.Context, who Who) (Profile, error) {
	p, err := s.Store.PrizeProfile(ctx, who.UserID)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND && who.Role == accounts.RoleFocal {
		c, cerr := s.Directory.City(ctx, who.City)
		if cerr != nil {
			return p, cerr
		}
		return Profile{UserID: who.UserID, Type: TypeLocalGov, Organisation: "City of " + c.Name, Country: c.Country, CityCode: c.Code, CityName: c.Name}, nil
	}
	return p, err
}

// deadlineError is the refusal of a change after the deadline: the
// deadline in the edition's time zone (never the grace).
func deadlineError(e *Edition) error {
	loc := e.Location()
	return citylens.Ef(citylens.ECONFLICT, "prize.error.closed", "the call closed on %s (%s): applications can no longer change",
		e.Deadline.In(loc).Format("2006-01-02 15:04"), e.TimeZone)
}

// CreateApplication starts a draft for the viewer on a track of an open
// edition, from the viewer's profile.
func (s *Service) CreateApplication(ctx context.Context, who Who, edition, track string) (*Application, error) {
	if !who.CanApply() {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_applicant", "only applicants and city focal points apply")
	}
	var a *Application
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.Store.PrizeEdition(ctx, edition)
		if err != nil {
			return err
		}
		if !e.TakesChanges(s.now()) {
			if s.now().Before(e.Opens) || !e.Published {
				return citylens.Ef(citylens.ECONFLICT, "prize.error.not_open", "the call is not open yet")
			}
			return deadlineError(e)
		}
		p, err := s.Profile(ctx, who)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return citylens.Ef(citylens.ECONFLICT, "prize.error.no_profile", "fill in your organisation's profile first")
		}
		if err != nil {
			return err
		}
		tracks, err := s.Store.PrizeTracks(ctx, edition)
		if err != nil {
			return err
		}
		found := false
		for _, t := range tracks {
			found = found || t.Code == track
		}
		if !found {
			return citylens.Ef(citylens.ENOTFOUND, "prize.error.track", "the edition has no track %q", track)
		}
		elig, err := s.Store.PrizeEligibility(ctx, edition)
		if err != nil {
			return err
		}
		if !EligibilityOf(elig).Allows(track, p.Type) {
			return citylens.Ef(citylens.EFORBIDDEN, "prize.error.ineligible", "applicants of type %s may not apply to this track", p.Type)
		}
		mine, err := s.Store.PrizeApplications(ctx, ApplicationFilter{Edition: edition, UserID: who.UserID})
		if err != nil {
			return err
		}
		if len(mine) >= MaxApplicationsPerAccount {
			return citylens.Ef(citylens.ECONFLICT, "prize.error.too_many_apps", "an account has at most %d applications in an edition; withdraw or reuse a draft", MaxApplicationsPerAccount)
		}
		now := s.now()
		a = &Application{Edition: edition, Track: track, UserID: who.UserID, Email: who.Email, ApplicantType: p.Type,
			Organisation: p.Organisation, Country: p.Country, CityCode: p.CityCode, CityName: p.CityName,
			Answers: Answers{}, State: StateDraft, CreatedAt: now, UpdatedAt: now}
		if p.Country != "" {
			a.Answers[FieldPlace] = []string{p.Country, p.CityName}
		}
		if err := s.Store.CreatePrizeApplication(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, who.Actor(), "prize.application.create", "prize_application", itoa(a.ID), nil, a)
	})
	return a, err
}

// View is one application with what its pages show.
type View struct {
	App          *Application
	Edition      *Edition
	Track        Track
	Form         *Form
	Files        []Attachment
	Endorsements []Endorsement
	Owner        bool // the viewer applied
	Endorser     bool // the viewer is a focal point asked to endorse it
}

// FileCounts counts the view's files by field.
func (v *View) FileCounts() map[string]int {
	m := map[string]int{}
	for _, f := range v.Files {
		m[f.Field]++
	}
	return m
}

// notFound is what a viewer without access to an application gets: the
// same answer as for an application that does not exist.
func notFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "prize.error.app_not_found", "application %d not found", id)
}

// Load is an application as the viewer may see it: the applicant, the
// administrator, or a focal point whose city was asked to endorse it.
// Anyone else gets ENOTFOUND, as for an application that does not exist.
func (s *Service) Load(ctx context.Context, who Who, id int64) (*View, error) {
	a, err := s.Store.PrizeApplication(ctx, id)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	v := &View{App: a, Owner: who.UserID != 0 && a.UserID == who.UserID}
	if v.Endorsements, err = s.Store.PrizeEndorsements(ctx, id); err != nil {
		return nil, err
	}
	if who.Role == accounts.RoleFocal && who.City != "" {
		for _, e := range v.Endorsements {
			v.Endorser = v.Endorser || e.CityCode == who.City
		}
	}
	if !v.Owner && !who.Admin() && !v.Endorser {
		return nil, notFound(id)
	}
	if v.Edition, err = s.Store.PrizeEdition(ctx, a.Edition); err != nil {
		return nil, err
	}
	tracks, err := s.Store.PrizeTracks(ctx, a.Edition)
	if err != nil {
		return nil, err
	}
	for _, t := range tracks {
		if t.Code == a.Track {
			v.Track = t
		}
	}
	if v.Form, err = s.FormFor(ctx, a.Edition, a.Track, a.ApplicantType); err != nil {
		return nil, err
	}
	if v.Files, err = s.Store.PrizeAttachments(ctx, id); err != nil {
		return nil, err
	}
	return v, nil
}

// mayChange loads an application for a change by its applicant: ENOTFOUND
// for anyone else, ECONFLICT once withdrawn or rejected, or after the
// deadline and its grace.
func (s *Service) mayChange(ctx context.Context, who Who, id int64) (*View, error) {
	v, err := s.Load(ctx, who, id)
	if err != nil {
		return nil, err
	}
	if !v.Owner {
		if who.Admin() || v.Endorser {
			return nil, citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_owner", "only the applicant changes an application")
		}
		return nil, notFound(id)
	}
	switch v.App.State {
	case StateWithdrawn:
		return nil, citylens.Ef(citylens.ECONFLICT, "prize.error.withdrawn", "this application was withdrawn")
	case StateRejected:
		return nil, citylens.Ef(citylens.ECONFLICT, "prize.error.rejected", "this application was rejected at screening")
	}
	if !v.Edition.TakesChanges(s.now()) {
		return nil, deadlineError(v.Edition)
	}
	return v, nil
}

// SaveDraft stores an application's answers and co-applicants (an
// autosave, or the form's save button). Answers over the hard bounds are
// refused, naming each field; incomplete answers are kept (a draft may be
// incomplete) and a submitted application stays submitted only if it is
// still complete.
func (s *Service) SaveDraft(ctx context.Context, who Who, id int64, ans Answers, co []CoApplicant) (*Application, error) {
	var out *Application
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.mayChange(ctx, who, id)
		if err != nil {
			return err
		}
		ps := v.Form.CheckBounds(ans)
		ps = append(ps, s.checkPlaces(ctx, v.Form, ans)...)
		ps = append(ps, checkCoApplicants(co)...)
		if len(ps) > 0 {
			return citylens.Ef(citylens.EINVALID, "prize.error.answers", "nothing was saved: correct the answers named below").WithProblems(ps...)
		}
		a := v.App
		before := *a
		a.Answers, a.CoApplicants = ans, co
		s.applyAnswers(ctx, a)
		if a.State == StateSubmitted {
			if ps := v.Form.CheckComplete(a.Answers, v.FileCounts()); len(ps) > 0 {
				return citylens.Ef(citylens.EINVALID, "prize.error.incomplete", "a submitted application must stay complete: correct the fields named below").WithProblems(ps...)
			}
			a.Answers = v.Form.VisibleAnswers(a.Answers)
		}
		a.UpdatedAt = s.now()
		if err := s.Store.UpdatePrizeApplication(ctx, a); err != nil {
			return err
		}
		out = a
		return s.record(ctx, who.Actor(), "prize.application.save", "prize_application", itoa(a.ID), before.auditView(), a.auditView())
	})
	return out, err
}

// applyAnswers copies the answers the platform reads into the
// application's columns: title, stage, and the project's country and city
// (a member city is linked by code, so its data and development stage
// show beside the application).
func (s *Service) applyAnswers(ctx context.Context, a *Application) {
	a.Title = a.Answers.First(FieldTitle)
	a.Stage = a.Answers.First(FieldStage)
	if pl := a.Answers[FieldPlace]; len(pl) > 0 {
		a.Country = strings.ToUpper(pl[0])
		a.CityName, a.CityCode = "", ""
		if len(pl) > 1 {
			a.CityName = pl[1]
		}
		// The city picker's member city, by its code.
		if c, ok := s.memberCity(ctx, a.CityName); ok && c.Country == a.Country {
			a.CityCode, a.CityName = c.Code, c.Name
			return
		}
		if cs, err := s.Directory.ListCities(ctx, members.CityFilter{Country: a.Country}); err == nil {
			for _, c := range cs {
				if strings.EqualFold(c.Name, a.CityName) || (c.LocalName != "" && c.LocalName == a.CityName) {
					a.CityCode = c.Code
				}
			}
		}
	}
}

// memberCity is the member city whose code is v, if there is one.
func (s *Service) memberCity(ctx context.Context, v string) (members.City, bool) {
	if v == "" || len(v) > 64 || strings.ContainsAny(v, " \t") {
		return members.City{}, false
	}
	c, err := s.Directory.City(ctx, v)
	return c, err == nil
}

// checkPlaces checks the city of each country/city field: a member city
// (chosen by its code from the picker's list) must be in the country
// chosen; any other value is a free name of a city that is not a member.
func (s *Service) checkPlaces(ctx context.Context, f *Form, a Answers) []citylens.Problem {
	var ps []citylens.Problem
	for _, fd := range f.Fields {
		vals := a[fd.Key]
		if fd.Kind != KindPlace || len(vals) < 2 || !validCountry(vals[0]) {
			continue
		}
		if c, ok := s.memberCity(ctx, vals[1]); ok && c.Country != vals[0] {
			ps = append(ps, citylens.Problem{Field: fd.Key}.Keyed("prize.error.city_country", "%s is a member city of %s, not of %s",
				c.Name, citylens.Phrase{Key: CountryKey(c.Country), English: c.Country}, citylens.Phrase{Key: CountryKey(vals[0]), English: vals[0]}))
		}
	}
	return ps
}

func checkCoApplicants(co []CoApplicant) []citylens.Problem {
	var ps []citylens.Problem
	if len(co) > MaxCoApplicants {
		return []citylens.Problem{citylens.Problem{Field: "co_applicants"}.Keyed("prize.error.co_count", "at most %d co-applicants", MaxCoApplicants)}
	}
	for i, c := range co {
		field := fmt.Sprintf("co_applicants.%d", i+1)
		if strings.TrimSpace(c.Organisation) == "" {
			ps = append(ps, citylens.Problem{Field: field}.Keyed("prize.error.required", "required"))
		}
		if c.Country != "" && !validCountry(c.Country) {
			ps = append(ps, citylens.Problem{Field: field}.Keyed("prize.error.country", "%q is not a country code (ISO 3166 alpha-3, such as KOR)", c.Country))
		}
		if c.Email != "" {
			if _, err := accounts.NormaliseEmail(c.Email); err != nil {
				ps = append(ps, citylens.Problem{Field: field}.Keyed("prize.error.email", "%q is not an e-mail address", c.Email))
			}
		}
		if len(c.Organisation) > 300 || len(c.Email) > 254 {
			ps = append(ps, citylens.Problem{Field: field}.Keyed("prize.error.too_long", "at most %d characters", 300))
		}
	}
	return ps
}

func (a Application) auditView() map[string]any {
	return map[string]any{"id": a.ID, "state": a.State, "track": a.Track, "title": a.Title, "stage": a.Stage,
		"country": a.Country, "city": a.CityName, "late": a.Late, "screening": a.Screening, "answers": len(a.Answers)}
}

// Submit submits a complete application before the deadline (or within
// the grace, marked late), mails the applicant a receipt, and keeps the
// application editable until the deadline.
func (s *Service) Submit(ctx context.Context, who Who, id int64) (*Application, error) {
	var out *Application
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.mayChange(ctx, who, id)
		if err != nil {
			return err
		}
		a := v.App
		if a.State == StateSubmitted {
			out = a
			return nil
		}
		elig, err := s.Store.PrizeEligibility(ctx, a.Edition)
		if err != nil {
			return err
		}
		if !EligibilityOf(elig).Allows(a.Track, a.ApplicantType) {
			return citylens.Ef(citylens.EFORBIDDEN, "prize.error.ineligible", "applicants of type %s may not apply to this track", a.ApplicantType)
		}
		if ps := v.Form.CheckComplete(a.Answers, v.FileCounts()); len(ps) > 0 {
			return citylens.Ef(citylens.EINVALID, "prize.error.incomplete_submit", "the application is not complete: the fields named below need an answer or a change").WithProblems(ps...)
		}
		before := *a
		now := s.now()
		a.Answers = v.Form.VisibleAnswers(a.Answers)
		a.State, a.SubmittedAt, a.UpdatedAt = StateSubmitted, now, now
		a.Late = v.Edition.Late(now)
		if err := s.Store.UpdatePrizeApplication(ctx, a); err != nil {
			return err
		}
		if err := s.record(ctx, who.Actor(), "prize.application.submit", "prize_application", itoa(a.ID), before.auditView(), a.auditView()); err != nil {
			return err
		}
		out = a
		loc := v.Edition.Location()
		return s.Mail.Send(ctx, citymail.Message{To: a.Email, Subject: "Seoul Smart City Prize: application " + a.Ref() + " received",
			Body: fmt.Sprintf("We received your application %s, %q, to the %s track, on %s (%s).\n\nYou can change it until the deadline, %s (%s):\n%s\n\n접수되었습니다: 신청서 %s.\n",
				a.Ref(), a.Title, v.Track.Name, now.In(loc).Format("2006-01-02 15:04"), v.Edition.TimeZone,
				v.Edition.Deadline.In(loc).Format("2006-01-02 15:04"), v.Edition.TimeZone,
				s.link("/prize/applications/"+itoa(a.ID)), a.Ref())})
	})
	return out, err
}

// Withdraw withdraws the viewer's application, at any time before a desk
// rejection, deadline or not.
func (s *Service) Withdraw(ctx context.Context, who Who, id int64) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.Load(ctx, who, id)
		if err != nil {
			return err
		}
		if !v.Owner {
			if who.Admin() || v.Endorser {
				return citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_owner", "only the applicant changes an application")
			}
			return notFound(id)
		}
		a := v.App
		if a.State == StateWithdrawn || a.State == StateRejected {
			return citylens.Ef(citylens.ECONFLICT, "prize.error.not_withdrawable", "this application is %s", a.State)
		}
		before := *a
		a.State, a.WithdrawnAt, a.UpdatedAt = StateWithdrawn, s.now(), s.now()
		if err := s.Store.UpdatePrizeApplication(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, who.Actor(), "prize.application.withdraw", "prize_application", itoa(a.ID), before.auditView(), a.auditView())
	})
}

// NewID is a random identifier of 128 bits, in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// AddAttachment stores a file of a file field: at most MaxAttachmentBytes,
// of an accepted type by content, within the application's and the field's
// counts. The file streams into the store's staged file (hashed on the
// way) before any transaction, so a slow upload holds no lock; then one
// short transaction checks the rules again with the file's size and
// records it. Nothing is stored when it is refused.
func (s *Service) AddAttachment(ctx context.Context, who Who, id int64, field, name string, r io.Reader) (att Attachment, err error) {
	limit, err := s.attachLimit(ctx, who, id, field, 0)
	if err != nil {
		return att, err
	}
	t, err := s.Store.StageFile()
	if err != nil {
		return att, err
	}
	committed := false
	// What a failed release leaves, the periodic sweep collects.
	defer func() { _ = s.Store.ReleaseStaged(ctx, t, committed) }()
	typ, _, err := StreamFile(r, limit, fileTooLarge, t)
	if err != nil {
		return att, err
	}
	if err := t.Finish(); err != nil {
		return att, citylens.Errorf(citylens.EINTERNAL, "files: finish: %v", err)
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.attachLimit(ctx, who, id, field, t.Size()); err != nil {
			return err
		}
		att = Attachment{ID: NewID(), ApplicationID: id, Field: field, Name: CleanFileName(name), Type: typ,
			Size: t.Size(), SHA256: t.Sum(), CreatedAt: s.now()}
		if err := s.Store.AddPrizeAttachment(ctx, att, t); err != nil {
			return err
		}
		return s.record(ctx, who.Actor(), "prize.attachment.add", "prize_application", itoa(id), nil, att)
	})
	committed = err == nil
	return att, err
}

// fileTooLarge is the error of a file over the limits.
func fileTooLarge() error {
	return citylens.Ef(citylens.ETOOLARGE, "prize.error.file_size", "a file may have at most %s, and an application's files %s together",
		"10 MiB", "40 MiB")
}

// attachLimit checks that the viewer may add a file of size bytes (0: not
// yet known) to field of application id, and returns the most a file
// may have there.
func (s *Service) attachLimit(ctx context.Context, who Who, id int64, field string, size int64) (int64, error) {
	v, err := s.mayChange(ctx, who, id)
	if err != nil {
		return 0, err
	}
	fd, ok := v.Form.Field(field)
	if !ok || fd.Kind != KindFile {
		return 0, citylens.Ef(citylens.EINVALID, "prize.error.file_field", "the form has no file field %q", field)
	}
	maxFiles := fd.MaxFiles
	if maxFiles == 0 {
		maxFiles = DefaultMaxFiles
	}
	var total int64
	for _, f := range v.Files {
		total += f.Size
	}
	if v.FileCounts()[field] >= maxFiles || len(v.Files) >= MaxAppFiles {
		return 0, citylens.Ef(citylens.ECONFLICT, "prize.error.file_count", "this field takes at most %d files; remove one first", maxFiles)
	}
	limit := int64(MaxAttachmentBytes)
	if left := MaxAppBytes - total; left < limit {
		limit = left
	}
	if size > limit {
		return 0, fileTooLarge()
	}
	return limit, nil
}

// fileView loads an attachment and its application for the viewer.
func (s *Service) fileView(ctx context.Context, who Who, fileID string) (Attachment, *View, error) {
	att, err := s.Store.PrizeAttachment(ctx, fileID)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return att, nil, citylens.Ef(citylens.ENOTFOUND, "prize.error.file_not_found", "no such file")
	}
	if err != nil {
		return att, nil, err
	}
	v, err := s.Load(ctx, who, att.ApplicationID)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return att, nil, citylens.Ef(citylens.ENOTFOUND, "prize.error.file_not_found", "no such file")
	}
	return att, v, err
}

// Attachment is a file's record if the viewer may read it (ENOTFOUND
// otherwise, as for a file that does not exist).
func (s *Service) Attachment(ctx context.Context, who Who, fileID string) (Attachment, error) {
	att, _, err := s.fileView(ctx, who, fileID)
	return att, err
}

// WriteAttachment writes a file the viewer may read to w.
func (s *Service) WriteAttachment(ctx context.Context, who Who, fileID string, w io.Writer) error {
	if _, _, err := s.fileView(ctx, who, fileID); err != nil {
		return err
	}
	return s.Store.PrizeAttachmentChunks(ctx, fileID, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
}

// DeleteAttachment removes a file of the viewer's application (while it
// may change).
func (s *Service) DeleteAttachment(ctx context.Context, who Who, fileID string) (int64, error) {
	var appID int64
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		att, _, err := s.fileView(ctx, who, fileID)
		if err != nil {
			return err
		}
		appID = att.ApplicationID
		v, err := s.mayChange(ctx, who, att.ApplicationID)
		if err != nil {
			return err
		}
		if v.App.State == StateSubmitted && v.FileCounts()[att.Field] == 1 {
			if fd, _ := v.Form.Field(att.Field); fd.Required {
				return citylens.Ef(citylens.ECONFLICT, "prize.error.file_required", "a submitted application keeps at least one file here; add the new one first")
			}
		}
		if err := s.Store.DeletePrizeAttachment(ctx, fileID); err != nil {
			return err
		}
		return s.record(ctx, who.Actor(), "prize.attachment.delete", "prize_application", itoa(att.ApplicationID), att, nil)
	})
	return appID, err
}
