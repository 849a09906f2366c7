package prizeweb

import (
	"net/http"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/prize/editions", web.AccessPublic, a.apiEditions)
	s.API("GET /api/v1/prize/editions/{edition}", web.AccessPublic, a.apiEdition)
	s.API("GET /api/v1/prize/applications", web.AccessSignedIn, a.apiApplications)
	s.API("GET /api/v1/prize/applications/{id}", web.AccessSignedIn, a.apiApplication)
}

// The API's response bodies (the OpenAPI document's schemas are made
// from them).
type prizeEditionsBody struct {
	Editions []*prize.Edition `json:"editions"`
}

type prizeEditionBody struct {
	Edition     *prize.Edition      `json:"edition"`
	Phase       string              `json:"phase"`
	Tracks      []prize.Track       `json:"tracks"`
	Eligibility []prize.Eligibility `json:"eligibility"`
}

type prizeApplicationsBody struct {
	Applications []*prize.Application `json:"applications"`
}

type prizeApplicationBody struct {
	Application  *prize.Application  `json:"application"`
	Files        []prize.Attachment  `json:"files"`
	Endorsements []prize.Endorsement `json:"endorsements"`
	// Checks are the automatic checks, for the secretariat only.
	Checks []prize.Check `json:"checks,omitempty"`
}

// APIOperations describe the prize's API routes.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/prize/editions", ID: "listPrizeEditions", Tag: "prize", Summary: "The published editions of the Seoul Smart City Prize with their key dates (in UTC, with the edition's time zone)", Status: 200, Response: prizeEditionsBody{}},
		{Method: "GET", Path: "/api/v1/prize/editions/{edition}", ID: "getPrizeEdition", Tag: "prize", PathParams: map[string]string{"edition": "the edition's code, e.g. 2026"}, Summary: "A published edition's call: dates, tracks and which applicant types may apply to each", Status: 200, Response: prizeEditionBody{}, Errors: []int{404}},
		{Method: "GET", Path: "/api/v1/prize/applications", ID: "listPrizeApplications", Tag: "prize", Query: []web.APIParam{{Name: "edition", Type: "string", Description: "an edition's code"}}, Summary: "The caller's own applications (the secretariat: every application of the edition), with their states and screening outcomes", Status: 200, Response: prizeApplicationsBody{}, Auth: true, Errors: []int{401}},
		{Method: "GET", Path: "/api/v1/prize/applications/{id}", ID: "getPrizeApplication", Tag: "prize", Summary: "One application with its answers, files and endorsements, to its applicant, the secretariat (with the automatic checks) and a focal point asked to endorse it; 404 for anyone else", Status: 200, Response: prizeApplicationBody{}, Auth: true, Errors: []int{401, 404}},
	}
}

func (a *Area) apiEditions(w http.ResponseWriter, r *http.Request) error {
	eds, err := a.svc.Store.PrizeEditions(r.Context())
	if err != nil {
		return err
	}
	out := []*prize.Edition{}
	for _, e := range eds {
		if e.Published {
			out = append(out, e)
		}
	}
	web.WriteJSON(w, http.StatusOK, prizeEditionsBody{Editions: out})
	return nil
}

func (a *Area) apiEdition(w http.ResponseWriter, r *http.Request) error {
	e, err := a.svc.Store.PrizeEdition(r.Context(), r.PathValue("edition"))
	if err == nil && !e.Published {
		err = citylens.Ef(citylens.ENOTFOUND, "prize.error.no_edition", "no prize edition is published")
	}
	if err != nil {
		return err
	}
	d, err := a.callData(r, e)
	if err != nil {
		return err
	}
	elig, err := a.svc.Store.PrizeEligibility(r.Context(), e.Code)
	if err != nil {
		return err
	}
	if elig == nil {
		elig = []prize.Eligibility{}
	}
	if d.Tracks == nil {
		d.Tracks = []prize.Track{}
	}
	web.WriteJSON(w, http.StatusOK, prizeEditionBody{Edition: e, Phase: d.Phase, Tracks: d.Tracks, Eligibility: elig})
	return nil
}

func (a *Area) apiApplications(w http.ResponseWriter, r *http.Request) error {
	apps, err := a.svc.Applications(r.Context(), who(r), prize.ApplicationFilter{Edition: r.URL.Query().Get("edition")})
	if err != nil {
		return err
	}
	if apps == nil {
		apps = []*prize.Application{}
	}
	web.WriteJSON(w, http.StatusOK, prizeApplicationsBody{Applications: apps})
	return nil
}

func (a *Area) apiApplication(w http.ResponseWriter, r *http.Request) error {
	id, err := appID(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Load(r.Context(), who(r), id)
	if err != nil {
		return err
	}
	out := prizeApplicationBody{Application: v.App, Files: v.Files, Endorsements: v.Endorsements}
	if who(r).Admin() {
		checks, err := a.svc.Checks(r.Context(), v)
		if err != nil {
			return err
		}
		out.Checks = checks
	}
	if out.Files == nil {
		out.Files = []prize.Attachment{}
	}
	if out.Endorsements == nil {
		out.Endorsements = []prize.Endorsement{}
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}
