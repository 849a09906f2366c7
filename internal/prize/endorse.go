package prize

import (
	"context"
	"fmt"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
)

// RequestEndorsement asks the project's city to endorse the viewer's
// application. A member city's focal points are mailed and decide on
// their endorsements page; for a city not yet a member, official is the
// e-mail of a city official, who gets a link (a random token, stored
// hashed, working once for 30 days).
func (s *Service) RequestEndorsement(ctx context.Context, who Who, id int64, official string) (Endorsement, error) {
	var e Endorsement
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.mayChange(ctx, who, id)
		if err != nil {
			return err
		}
		a := v.App
		if !NeedsEndorsement(a.ApplicantType) {
			return citylens.Ef(citylens.ECONFLICT, "prize.error.no_endorsement_needed", "applications of governments and individuals need no endorsement")
		}
		if a.CityName == "" {
			return citylens.Ef(citylens.EINVALID, "prize.error.endorse_city", "name the project's city first").
				WithProblems(citylens.Problem{Field: FieldPlace}.Keyed("prize.error.city_missing", "give the city"))
		}
		for _, old := range v.Endorsements {
			if old.Status == EndorseRequested || old.Status == EndorseGiven {
				return citylens.Ef(citylens.ECONFLICT, "prize.error.endorse_pending", "an endorsement was already requested (%s)", old.Status)
			}
		}
		now := s.now()
		e = Endorsement{ApplicationID: id, CityCode: a.CityCode, CityName: a.CityName, Status: EndorseRequested, RequestedAt: now}
		var focal []accounts.User
		token := ""
		if a.CityCode != "" {
			users, err := s.Directory.ListUsers(ctx)
			if err != nil {
				return err
			}
			for _, u := range users {
				if u.Role == accounts.RoleFocal && u.CityCode == a.CityCode && u.Status == accounts.StatusActive {
					focal = append(focal, u)
				}
			}
		}
		if len(focal) == 0 {
			email, err := accounts.NormaliseEmail(official)
			if err != nil {
				return citylens.Ef(citylens.EINVALID, "prize.error.official", "the city has no focal point on CityLens: give the e-mail of a city official").
					WithProblems(citylens.Problem{Field: "official"}.Keyed("prize.error.email", "%q is not an e-mail address", official))
			}
			token = accounts.NewToken()
			e.Email, e.TokenHash, e.ExpiresAt = email, accounts.HashToken(token), now.Add(EndorsementLifetime)
		}
		if err := s.Store.CreatePrizeEndorsement(ctx, &e); err != nil {
			return err
		}
		if err := s.record(ctx, who.Actor(), "prize.endorsement.request", "prize_application", itoa(id), nil, e); err != nil {
			return err
		}
		body := fmt.Sprintf("%s asks %s to endorse its application %q (%s) to the Seoul Smart City Prize %d.\n\n",
			a.Organisation, a.CityName, a.Title, a.Ref(), v.Edition.Year)
		if token == "" {
			for _, u := range focal {
				if err := s.Mail.Send(ctx, citymail.Message{To: u.Email, Subject: "Endorsement requested: " + a.Title,
					Body: body + "Read the application and decide here:\n" + s.link("/prize/endorsements") + "\n"}); err != nil {
					return err
				}
			}
			return nil
		}
		return s.Mail.Send(ctx, citymail.Message{To: e.Email, Subject: "Endorsement requested: " + a.Title,
			Body: body + "Read the application and endorse or decline it here (the link works once, for 30 days):\n" +
				s.link("/prize/endorse?token="+token) + "\n"})
	})
	return e, err
}

// EndorsementsFor lists the endorsements a focal point's city was asked
// for, with their applications.
func (s *Service) EndorsementsFor(ctx context.Context, who Who) ([]Endorsement, map[int64]*Application, error) {
	if who.Role != accounts.RoleFocal || who.City == "" {
		return nil, nil, citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_focal", "only a city's focal point endorses for the city")
	}
	es, err := s.Store.PrizeEndorsementsForCity(ctx, who.City)
	if err != nil {
		return nil, nil, err
	}
	apps := map[int64]*Application{}
	for _, e := range es {
		a, err := s.Store.PrizeApplication(ctx, e.ApplicationID)
		if err != nil {
			return nil, nil, err
		}
		apps[e.ApplicationID] = a
	}
	return es, apps, nil
}

func checkDecision(decision, comment string) error {
	if decision != EndorseGiven && decision != EndorseDeclined {
		return citylens.Ef(citylens.EINVALID, "prize.error.decision", "the decision is endorsed or declined")
	}
	if len(comment) > 4000 {
		return citylens.Ef(citylens.EINVALID, "prize.error.too_long", "at most %d characters", 4000)
	}
	return nil
}

// Endorse records a focal point's decision on an endorsement asked of
// their city.
func (s *Service) Endorse(ctx context.Context, who Who, endorsementID int64, decision, comment string) (Endorsement, error) {
	var e Endorsement
	if err := checkDecision(decision, comment); err != nil {
		return e, err
	}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		e, err = s.Store.PrizeEndorsement(ctx, endorsementID)
		if err != nil {
			return err
		}
		if who.Role != accounts.RoleFocal || e.CityCode == "" || e.CityCode != who.City {
			return citylens.Ef(citylens.ENOTFOUND, "prize.error.endorsement_not_found", "no such endorsement request")
		}
		return s.decide(ctx, &e, decision, comment, who.Email, who.Actor())
	})
	return e, err
}

// EndorsementByToken is the request an official's link names (EINVALID if
// the link is unknown, used or expired), with its application.
func (s *Service) EndorsementByToken(ctx context.Context, token string) (Endorsement, *Application, error) {
	e, err := s.Store.PrizeEndorsementByToken(ctx, accounts.HashToken(token))
	if err == nil && (e.Status != EndorseRequested || !s.now().Before(e.ExpiresAt)) {
		err = citylens.Ef(citylens.ENOTFOUND, "", "used")
	}
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return e, nil, citylens.Ef(citylens.EINVALID, "acct.error.link", "this link is invalid, expired or already used: ask for a new one")
	}
	if err != nil {
		return e, nil, err
	}
	a, err := s.Store.PrizeApplication(ctx, e.ApplicationID)
	return e, a, err
}

// EndorseByToken records an official's decision through the e-mailed
// link; name is who decided, as they sign.
func (s *Service) EndorseByToken(ctx context.Context, token, decision, comment, name, remoteAddr string) (Endorsement, error) {
	var e Endorsement
	if err := checkDecision(decision, comment); err != nil {
		return e, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return e, citylens.Ef(citylens.EINVALID, "prize.error.signer", "sign with your name and position").
			WithProblems(citylens.Problem{Field: "name"}.Keyed("prize.error.required", "required"))
	}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, _, err = s.EndorsementByToken(ctx, token); err != nil {
			return err
		}
		e.TokenHash = ""
		return s.decide(ctx, &e, decision, comment, name+" <"+e.Email+">", auditlog.Actor{Email: e.Email, RemoteAddr: remoteAddr})
	})
	return e, err
}

func (s *Service) decide(ctx context.Context, e *Endorsement, decision, comment, by string, actor auditlog.Actor) error {
	if e.Status != EndorseRequested {
		return citylens.Ef(citylens.ECONFLICT, "prize.error.endorse_decided", "this request was already answered (%s)", e.Status)
	}
	before := *e
	e.Status, e.Comment, e.DecidedAt, e.DecidedBy = decision, strings.TrimSpace(comment), s.now(), by
	if err := s.Store.UpdatePrizeEndorsement(ctx, *e); err != nil {
		return err
	}
	if err := s.record(ctx, actor, "prize.endorsement."+decision, "prize_application", itoa(e.ApplicationID), before, e); err != nil {
		return err
	}
	a, err := s.Store.PrizeApplication(ctx, e.ApplicationID)
	if err != nil {
		return err
	}
	return s.Mail.Send(ctx, citymail.Message{To: a.Email, Subject: "Endorsement " + decision + ": " + a.Title,
		Body: fmt.Sprintf("%s %s your application %s.\n%s\n\n%s\n", e.CityName, decision, a.Ref(), e.Comment, s.link("/prize/applications/"+itoa(a.ID)))})
}

// Checks runs the automatic checks of an application the viewer may see.
func (s *Service) Checks(ctx context.Context, v *View) ([]Check, error) {
	elig, err := s.Store.PrizeEligibility(ctx, v.App.Edition)
	if err != nil {
		return nil, err
	}
	return AutoChecks(ScreenInput{Edition: v.Edition, Eligibility: EligibilityOf(elig), Form: v.Form, App: v.App,
		Files: v.FileCounts(), Endorsements: v.Endorsements}), nil
}

// Screen records the administrator's screening of a submitted
// application: eligible, or a desk rejection with a reason the applicant
// reads (and is mailed). The automatic checks at the time are logged with
// the decision.
func (s *Service) Screen(ctx context.Context, who Who, id int64, outcome, reason string) error {
	if !who.Admin() {
		return citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_admin", "only the secretariat screens applications")
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(outcome, reason); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		v, err := s.Load(ctx, who, id)
		if err != nil {
			return err
		}
		a := v.App
		if a.State != StateSubmitted && a.State != StateRejected {
			return citylens.Ef(citylens.ECONFLICT, "prize.error.screen_state", "only submitted applications are screened (this one is %s)", a.State)
		}
		checks, err := s.Checks(ctx, v)
		if err != nil {
			return err
		}
		before := *a
		now := s.now()
		a.Screening, a.ScreenReason, a.ScreenedAt, a.ScreenedBy = outcome, reason, now, who.Email
		a.State = StateSubmitted
		if outcome == ScreenRejected {
			a.State = StateRejected
		}
		if err := s.Store.UpdatePrizeApplication(ctx, a); err != nil {
			return err
		}
		if err := s.Store.AddPrizeScreening(ctx, &Screening{ApplicationID: id, Outcome: outcome, Reason: reason, Checks: checks, Actor: who.Email, At: now}); err != nil {
			return err
		}
		if err := s.record(ctx, who.Actor(), "prize.application.screen", "prize_application", itoa(id), before.auditView(), a.auditView()); err != nil {
			return err
		}
		if outcome != ScreenRejected {
			return nil
		}
		return s.Mail.Send(ctx, citymail.Message{To: a.Email, Subject: "Seoul Smart City Prize: application " + a.Ref() + " not admitted",
			Body: fmt.Sprintf("Your application %s, %q, was not admitted at screening.\n\nReason: %s\n\n%s\n", a.Ref(), a.Title, reason,
				s.link("/prize/applications/"+itoa(a.ID)))})
	})
}

// Applications lists applications: an administrator's of an edition
// (filtered), anyone else's own.
func (s *Service) Applications(ctx context.Context, who Who, f ApplicationFilter) ([]*Application, error) {
	if !who.Admin() {
		f.UserID = who.UserID
		if who.UserID == 0 {
			return nil, nil
		}
	}
	return s.Store.PrizeApplications(ctx, f)
}

// BoardFor counts an edition's applications and flags duplicates, for the
// administrator; it returns the edition's applications too.
func (s *Service) BoardFor(ctx context.Context, who Who, edition string) (Board, []Duplicate, []*Application, error) {
	if !who.Admin() {
		return Board{}, nil, nil, citylens.Ef(citylens.EFORBIDDEN, "prize.error.not_admin", "only the secretariat screens applications")
	}
	apps, err := s.Store.PrizeApplications(ctx, ApplicationFilter{Edition: edition})
	if err != nil {
		return Board{}, nil, nil, err
	}
	cities, err := s.Directory.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return Board{}, nil, nil, err
	}
	region := map[string]string{}
	for _, c := range cities {
		region[c.Country] = c.RegionCode
	}
	return BoardOf(apps, func(c string) string { return region[c] }), boardDups.duplicates(edition, apps), apps, nil
}
