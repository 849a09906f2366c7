package prizeweb

import (
	"net/http"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// callData is the call page: an edition, its tracks and who may apply.
type callData struct {
	Edition     *prize.Edition
	Phase       string
	Tracks      []prize.Track
	Eligibility prize.EligibilityMap
	Types       []string
	None        bool
}

func (a *Area) callData(r *http.Request, e *prize.Edition) (*callData, error) {
	tracks, err := a.svc.Store.PrizeTracks(r.Context(), e.Code)
	if err != nil {
		return nil, err
	}
	elig, err := a.svc.Store.PrizeEligibility(r.Context(), e.Code)
	if err != nil {
		return nil, err
	}
	return &callData{Edition: e, Phase: e.Phase(a.s.Now()), Tracks: tracks, Eligibility: prize.EligibilityOf(elig), Types: prize.ApplicantTypes}, nil
}

func (a *Area) callPage(w http.ResponseWriter, r *http.Request) error {
	e, err := a.svc.OpenEdition(r.Context())
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return a.s.Render(w, r, "prize_call.html", &callData{None: true})
	}
	if err != nil {
		return err
	}
	d, err := a.callData(r, e)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_call.html", d)
}

func (a *Area) editionsPage(w http.ResponseWriter, r *http.Request) error {
	eds, err := a.svc.Store.PrizeEditions(r.Context())
	if err != nil {
		return err
	}
	var shown []*prize.Edition
	for _, e := range eds {
		if e.Published {
			shown = append(shown, e)
		}
	}
	winners := map[string][]judging.Winner{}
	if a.winners != nil {
		for _, e := range shown {
			ws, ok, err := a.winners(r.Context(), e.Code)
			if err != nil {
				return err
			}
			if ok {
				winners[e.Code] = ws
			}
		}
	}
	return a.s.Render(w, r, "prize_editions.html", map[string]any{"Editions": shown, "Now": a.s.Now(), "Winners": winners})
}

// formErrors are a refused form's problems by field, worded in the
// reader's language, and the message above the form.
type formErrors struct {
	Message string
	Fields  map[string]string
	List    []fieldProblem
}

type fieldProblem struct{ Field, Reason string }

// refused words err for a form: nil for an error that is not about the
// request's input (the core answers it).
func (a *Area) refused(r *http.Request, err error) *formErrors {
	e := citylens.AsError(err)
	if e == nil || (e.Code != citylens.EINVALID && e.Code != citylens.ECONFLICT && e.Code != citylens.ETOOLARGE &&
		e.Code != citylens.EUNSUPPORTED && e.Code != citylens.EFORBIDDEN) {
		return nil
	}
	lang := web.ReaderLang(r)
	fe := &formErrors{Message: a.s.Message(lang, err), Fields: map[string]string{}}
	for _, p := range e.Problems {
		reason := a.s.ProblemReason(lang, p)
		fe.List = append(fe.List, fieldProblem{Field: p.Field, Reason: reason})
		if _, dup := fe.Fields[p.Field]; !dup {
			fe.Fields[p.Field] = reason
		}
	}
	return fe
}

func statusFor(err error) int {
	switch citylens.ErrorCode(err) {
	case citylens.ECONFLICT:
		return http.StatusConflict
	case citylens.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case citylens.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case citylens.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

type registerData struct {
	Email, Name string
	Profile     prize.Profile
	Types       []string
	Errors      *formErrors
	Done        bool
}

func (a *Area) registerPage(w http.ResponseWriter, r *http.Request) error {
	return a.s.Render(w, r, "prize_register.html", &registerData{Types: prize.ApplicantTypes})
}

func profileFromForm(r *http.Request) prize.Profile {
	return prize.Profile{Type: r.PostFormValue("type"), Organisation: r.PostFormValue("organisation"),
		Country: strings.ToUpper(strings.TrimSpace(r.PostFormValue("country"))), CityName: r.PostFormValue("city_name"),
		Website: r.PostFormValue("website"), Contact: r.PostFormValue("contact")}
}

// register signs up an applicant; the address is confirmed by the mailed
// link, where the password is chosen.
func (a *Area) register(w http.ResponseWriter, r *http.Request) error {
	d := &registerData{Types: prize.ApplicantTypes, Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"),
		Profile: profileFromForm(r)}
	if len(d.Email) > 254 || len(d.Name) > 200 {
		d.Errors = a.refused(r, citylens.Ef(citylens.EINVALID, "prize.error.too_long", "at most %d characters", 254))
		return a.s.RenderStatus(w, r, http.StatusBadRequest, "prize_register.html", d)
	}
	_, err := a.svc.Register(r.Context(), d.Email, d.Name, d.Profile, web.ActorOf(r).RemoteAddr)
	if citylens.ErrorCode(err) == citylens.ECONFLICT {
		err = citylens.Ef(citylens.ECONFLICT, "prize.error.email_taken", "an account with this e-mail exists: sign in, or reset its password").
			WithProblems(citylens.Problem{Field: "email"}.Keyed("prize.error.email_taken", "an account with this e-mail exists: sign in, or reset its password"))
	}
	if fe := a.refused(r, err); fe != nil {
		d.Errors = fe
		return a.s.RenderStatus(w, r, statusFor(err), "prize_register.html", d)
	}
	if err != nil {
		return err
	}
	d.Done = true
	return a.s.Render(w, r, "prize_register.html", d)
}

type endorseTokenData struct {
	Token       string
	Endorsement prize.Endorsement
	App         *prize.Application
	Errors      *formErrors
	Done        bool
	Decision    string
	Name        string
	Comment     string
}

func (a *Area) endorseTokenPage(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("token")
	e, app, err := a.svc.EndorsementByToken(r.Context(), tok)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "prize_endorse.html", &endorseTokenData{Token: tok, Endorsement: e, App: app})
}

func (a *Area) endorseToken(w http.ResponseWriter, r *http.Request) error {
	tok := r.PostFormValue("token")
	d := &endorseTokenData{Token: tok, Decision: r.PostFormValue("decision"), Name: r.PostFormValue("name"), Comment: r.PostFormValue("comment")}
	e, err := a.svc.EndorseByToken(r.Context(), tok, d.Decision, d.Comment, d.Name, web.ActorOf(r).RemoteAddr)
	if err != nil && citylens.AsError(err) != nil && len(citylens.AsError(err).Problems) > 0 {
		d.Endorsement, d.App, _ = a.svc.EndorsementByToken(r.Context(), tok)
		if d.App != nil {
			d.Errors = a.refused(r, err)
			return a.s.RenderStatus(w, r, http.StatusBadRequest, "prize_endorse.html", d)
		}
	}
	if err != nil {
		return err
	}
	d.Endorsement, d.Done = e, true
	return a.s.Render(w, r, "prize_endorse.html", d)
}
