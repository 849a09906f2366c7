package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web/webtest"
)

// featureMatrix holds the authorisation expectations of feature modules'
// routes (catalogue, data call, ...), keyed by route pattern as in
// platformMatrix. TestAuthorisationMatrix fails for any registered route
// missing from both. Owned by the feature modules.
var featureMatrix = map[string][]probe{
	// The knowledge exchange's practice library. Who sees which case is
	// tested by exchange_http_test.go; a case that does not exist is 404
	// for everyone.
	"GET /exchange":               {{Path: "/exchange", Allow: everyone}},
	"GET /exchange/cases/{id}":    {{Path: "/exchange/cases/999999", Allow: everyone}},
	"GET /exchange/new":           {{Path: "/exchange/new", Allow: only(webtest.Admin, webtest.Focal)}},
	"POST /exchange/cases":        {{Path: "/exchange/cases", Body: "title=", Allow: only(webtest.Admin, webtest.Focal)}},
	"POST /admin/exchange/import": {{Path: "/admin/exchange/import", Body: "edition=none", Allow: only(webtest.Admin)}},

	// Capacity-building training. Who sees whose progress, and the
	// participants-only actions, are tested by training_http_test.go;
	// routes are probed on rows that do not exist (404 once let in).
	"GET /training":                                   {{Path: "/training", Allow: signedIn}},
	"GET /training/cohorts/{id}":                      {{Path: "/training/cohorts/999999", Allow: signedIn}},
	"GET /training/verify":                            {{Path: "/training/verify?number=CLT-X&hash=0", Allow: everyone}},
	"GET /training/certificates/{number}":             {{Path: "/training/certificates/CLT-NONE", Allow: signedIn}},
	"POST /training/cohorts/{id}/request":             {{Path: "/training/cohorts/999999/request", Allow: only(webtest.Regional, webtest.Focal)}},
	"POST /training/cohorts/{id}/feedback":            {{Path: "/training/cohorts/999999/feedback", Body: "rating=5&relevance=5", Allow: signedIn}},
	"POST /training/assignments/{id}/submit":          {{Path: "/training/assignments/999999/submit", Body: "text=x", Allow: signedIn}},
	"GET /training/files/{file}":                      {{Path: "/training/files/0123456789abcdef0123456789abcdef", Allow: signedIn}},
	"POST /admin/training/courses/{id}/materials":     {{Path: "/admin/training/courses/999999/materials", Body: "title=x", Allow: only(webtest.Admin)}},
	"POST /admin/training/courses":                    {{Path: "/admin/training/courses", Body: "title=", Allow: only(webtest.Admin)}},
	"POST /admin/training/cohorts":                    {{Path: "/admin/training/cohorts", Body: "course=0", Allow: only(webtest.Admin)}},
	"POST /admin/training/cohorts/{id}/sessions":      {{Path: "/admin/training/cohorts/999999/sessions", Allow: only(webtest.Admin)}},
	"POST /admin/training/cohorts/{id}/assignments":   {{Path: "/admin/training/cohorts/999999/assignments", Body: "due=2026-01-01T00:00", Allow: only(webtest.Admin)}},
	"POST /admin/training/cohorts/{id}/enrol-winners": {{Path: "/admin/training/cohorts/999999/enrol-winners", Allow: only(webtest.Admin)}},
	"POST /admin/training/cohorts/{id}/certificates":  {{Path: "/admin/training/cohorts/999999/certificates", Allow: only(webtest.Admin)}},
	"POST /admin/training/enrolments/{id}":            {{Path: "/admin/training/enrolments/999999", Body: "decision=approve", Allow: only(webtest.Admin)}},
	"POST /admin/training/sessions/{id}/attendance":   {{Path: "/admin/training/sessions/999999/attendance", Allow: only(webtest.Admin)}},
	// Changing a course's materials: on real rows every role is tested by
	// training_materials_http_test.go.
	"POST /admin/training/courses/{id}/materials/{n}":        {{Path: "/admin/training/courses/999999/materials/1", Body: "title=x", Allow: only(webtest.Admin)}},
	"POST /admin/training/courses/{id}/materials/{n}/remove": {{Path: "/admin/training/courses/999999/materials/1/remove", Allow: only(webtest.Admin)}},

	// Network events: pages and calendar feeds are public (a person's
	// feed needs its token, tested by events_http_test.go); delegates
	// register; the secretariat manages.
	"GET /events":                        {{Path: "/events", Allow: everyone}},
	"GET /events/{id}":                   {{Path: "/events/999999", Allow: everyone}},
	"GET /events/{id}/calendar.ics":      {{Path: "/events/999999/calendar.ics", Allow: everyone}},
	"GET /events/feed/{user}/{file}":     {{Path: "/events/feed/1/0000.ics", Allow: everyone}},
	"POST /events/{id}/register":         {{Path: "/events/999999/register", Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)}},
	"POST /events/{id}/cancel":           {{Path: "/events/999999/cancel", Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)}},
	"GET /admin/events/new":              {{Path: "/admin/events/new", Allow: only(webtest.Admin)}},
	"POST /admin/events":                 {{Path: "/admin/events", Body: "title=", Allow: only(webtest.Admin)}},
	"POST /admin/events/{id}/attendance": {{Path: "/admin/events/999999/attendance", Body: "user=1", Allow: only(webtest.Admin)}},
	// Linking an event to a prize edition: the secretariat (an event that
	// does not exist is 404 for it). Who sees a ceremony's finalists is
	// tested by judging_committee_http_test.go.
	"POST /admin/events/{id}/edition": {{Path: "/admin/events/999999/edition", Body: "edition=2026", Allow: only(webtest.Admin)}},

	"GET /catalogue":        {{Path: "/catalogue", Allow: everyone}},
	"GET /catalogue/{code}": {{Path: "/catalogue/EC-P-EM-1C", Allow: everyone}},

	"GET /admin/catalogue/new":         {{Path: "/admin/catalogue/new", Allow: only(webtest.Admin)}},
	"POST /admin/catalogue":            {{Path: "/admin/catalogue", Allow: only(webtest.Admin)}},
	"GET /admin/catalogue/{code}/edit": {{Path: "/admin/catalogue/EC-P-EM-1C/edit", Allow: only(webtest.Admin)}},
	"POST /admin/catalogue/{code}":     {{Path: "/admin/catalogue/EC-P-EM-1C", Allow: only(webtest.Admin)}},

	"GET /admin/editions":                                       {{Path: "/admin/editions", Allow: only(webtest.Admin)}},
	"POST /admin/editions":                                      {{Path: "/admin/editions", Allow: only(webtest.Admin)}},
	"GET /admin/editions/{edition}":                             {{Path: "/admin/editions/2026", Allow: only(webtest.Admin)}},
	"POST /admin/editions/{edition}/status":                     {{Path: "/admin/editions/2026/status", Allow: only(webtest.Admin)}},
	"POST /admin/editions/{edition}/compute":                    {{Path: "/admin/editions/2026/compute", Allow: only(webtest.Admin)}},
	"GET /admin/editions/{edition}/releases/{id}":               {{Path: "/admin/editions/2026/releases/999999", Allow: only(webtest.Admin)}},
	"GET /datacall":                                             {{Path: "/datacall", Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)}},
	"POST /datacall/{edition}/upload":                           {{Path: "/datacall/2026/upload", Allow: only(webtest.Admin)}},
	"GET /datacall/{edition}/review":                            {{Path: "/datacall/2026/review", Allow: only(webtest.Admin, webtest.Regional)}},
	"GET /datacall/{edition}/coverage":                          {{Path: "/datacall/2026/coverage", Allow: only(webtest.Admin, webtest.Regional)}},
	"GET /datacall/{edition}/cities/{city}":                     callProbes("", viewers),
	"GET /datacall/{edition}/cities/{city}/template.xlsx":       callProbes("/template.xlsx", viewers),
	"GET /datacall/{edition}/cities/{city}/history/{indicator}": callProbes("/history/EC-P-EM-1C", viewers),
	"POST /datacall/{edition}/cities/{city}/values":             callProbes("/values", editors),
	"POST /datacall/{edition}/cities/{city}/upload":             callProbes("/upload", editors),
	"POST /datacall/{edition}/cities/{city}/submit":             callProbes("/submit", editors),
	"POST /datacall/{edition}/cities/{city}/review":             callProbes("/review", reviewers),
	"POST /datacall/{edition}/cities/{city}/reopen":             callProbes("/reopen", [3][]string{only(webtest.Admin), only(webtest.Admin), only(webtest.Admin)}),

	// The prize. Application routes are probed on an application that
	// does not exist (404 for a role the route lets in); who sees which
	// application is tested by the prize's HTTP flow (prize_http_test.go).
	"GET /prize":                                  {{Path: "/prize", Allow: everyone}},
	"GET /prize/editions":                         {{Path: "/prize/editions", Allow: everyone}},
	"GET /prize/assets/{file}":                    {{Path: "/prize/assets/prize.js", Allow: everyone}},
	"GET /prize/register":                         {{Path: "/prize/register", Allow: everyone}},
	"POST /prize/register":                        {{Path: "/prize/register", Allow: everyone}},
	"GET /prize/endorse":                          {{Path: "/prize/endorse?token=x", Allow: everyone}},
	"POST /prize/endorse":                         {{Path: "/prize/endorse", Body: "token=x", Allow: everyone}},
	"GET /prize/my":                               {{Path: "/prize/my", Allow: prizeReaders}},
	"POST /prize/profile":                         {{Path: "/prize/profile", Allow: prizeAppliers}},
	"POST /prize/editions/{edition}/applications": {{Path: "/prize/editions/2026/applications", Body: "track=none", Allow: prizeAppliers}},
	"GET /prize/applications/{id}":                {{Path: "/prize/applications/999999", Allow: prizeReaders}},
	"POST /prize/applications/{id}":               {{Path: "/prize/applications/999999", Allow: prizeReaders}},
	"POST /prize/applications/{id}/autosave":      {{Path: "/prize/applications/999999/autosave", Allow: prizeReaders}},
	"POST /prize/applications/{id}/submit":        {{Path: "/prize/applications/999999/submit", Allow: prizeReaders}},
	"POST /prize/applications/{id}/withdraw":      {{Path: "/prize/applications/999999/withdraw", Allow: prizeReaders}},
	"GET /prize/applications/{id}/receipt":        {{Path: "/prize/applications/999999/receipt", Allow: prizeReaders}},
	"POST /prize/applications/{id}/files":         {{Path: "/prize/applications/999999/files", Allow: prizeReaders}},
	"POST /prize/applications/{id}/endorsement":   {{Path: "/prize/applications/999999/endorsement", Allow: prizeReaders}},
	"POST /prize/files/{file}/delete":             {{Path: "/prize/files/0123456789abcdef0123456789abcdef/delete", Allow: prizeReaders}},
	"GET /prize/files/{file}":                     {{Path: "/prize/files/0123456789abcdef0123456789abcdef", Allow: prizeReaders}},
	"GET /prize/endorsements":                     {{Path: "/prize/endorsements", Allow: only(webtest.Focal)}},
	"POST /prize/endorsements/{id}":               {{Path: "/prize/endorsements/999999", Body: "decision=endorsed", Allow: only(webtest.Focal)}},
	"POST /prize/applications/{id}/screen":        {{Path: "/prize/applications/999999/screen", Body: "outcome=eligible", Allow: only(webtest.Admin)}},
	"GET /admin/prize":                            {{Path: "/admin/prize", Allow: only(webtest.Admin)}},
	"POST /admin/prize":                           {{Path: "/admin/prize", Body: "year=1", Allow: only(webtest.Admin)}},
	"GET /admin/prize/{edition}":                  {{Path: "/admin/prize/2026", Allow: only(webtest.Admin)}},
	"GET /admin/prize/{edition}/export.csv":       {{Path: "/admin/prize/2026/export.csv", Allow: only(webtest.Admin)}},
	"GET /admin/prize/{edition}/export.xlsx":      {{Path: "/admin/prize/2026/export.xlsx", Allow: only(webtest.Admin)}},
	"GET /admin/prize/{edition}/settings":         {{Path: "/admin/prize/2026/settings", Allow: only(webtest.Admin)}},
	"POST /admin/prize/{edition}/settings":        {{Path: "/admin/prize/2026/settings", Allow: only(webtest.Admin)}},
	"POST /admin/prize/{edition}/eligibility":     {{Path: "/admin/prize/1999/eligibility", Allow: only(webtest.Admin)}},
	"POST /admin/prize/{edition}/form":            {{Path: "/admin/prize/2026/form", Body: "form=x", Allow: only(webtest.Admin)}},
	"GET /admin/prize/{edition}/form-editor":      {{Path: "/admin/prize/2026/form-editor", Allow: only(webtest.Admin)}},
	"POST /admin/prize/{edition}/form-editor":     {{Path: "/admin/prize/2026/form-editor", Body: "rows=0", Allow: only(webtest.Admin)}},
	"GET /api/v1/prize/editions":                  {{Path: "/api/v1/prize/editions", Allow: everyone}},
	"GET /api/v1/prize/editions/{edition}":        {{Path: "/api/v1/prize/editions/2026", Allow: everyone}},
	"GET /api/v1/prize/applications":              {{Path: "/api/v1/prize/applications", Allow: signedIn}},
	"GET /api/v1/prize/applications/{id}":         {{Path: "/api/v1/prize/applications/999999", Allow: signedIn}},
	// Prize judging. Who sees which application, score and decision
	// (conflicts, committee, embargo) is tested by judging_http_test.go.
	"GET /prize/editions/{edition}/winners":          {{Path: "/prize/editions/2026/winners", Allow: everyone}},
	"GET /judging":                                   {{Path: "/judging", Allow: judgingRoles}},
	"GET /judging/rounds/{round}/applications/{id}":  {{Path: "/judging/rounds/999999/applications/999999", Allow: judgingRoles}},
	"POST /judging/rounds/{round}/applications/{id}": {{Path: "/judging/rounds/999999/applications/999999", Body: "action=draft", Allow: judgingRoles}},
	"GET /judging/rounds/{round}/results":            {{Path: "/judging/rounds/999999/results", Allow: judgingRoles}},
	"POST /judging/rounds/{round}/decisions":         {{Path: "/judging/rounds/999999/decisions", Body: "app=1&kind=winner", Allow: judgingRoles}},
	"POST /admin/judging/{edition}/announce":         {{Path: "/admin/judging/2026/announce", Allow: only(webtest.Admin)}},
	// The ceremony. An invitation is probed on an application that does
	// not exist (404 for a signed-in caller); who reads which invitation
	// is tested by judging_ceremony_http_test.go. The 2026 programme is
	// public (empty here).
	"GET /prize/editions/{edition}/programme": {{Path: "/prize/editions/2026/programme", Allow: everyone}},
	"GET /prize/invitations/{id}":             {{Path: "/prize/invitations/999999", Allow: signedIn}},
	"POST /prize/invitations/{id}":            {{Path: "/prize/invitations/999999", Body: "attend=yes", Allow: signedIn}},
	"POST /admin/judging/{edition}/invite":    {{Path: "/admin/judging/2026/invite", Allow: only(webtest.Admin)}},
	// The committee's ceremony pages. Round routes are probed on a round
	// that does not exist (404 for a role the route lets in); edition
	// routes on 2026, whose committee here is the administrator alone
	// (judges and partners: 403 from the service). The chair's access and
	// the refusals of judges outside the committee are tested by
	// judging_committee_http_test.go.
	"GET /judging/rounds/{round}/slots":                  {{Path: "/judging/rounds/999999/slots", Allow: judgingRoles}},
	"POST /judging/rounds/{round}/slots":                 {{Path: "/judging/rounds/999999/slots", Body: "app=1", Allow: judgingRoles}},
	"POST /judging/rounds/{round}/slots/{slot}/delete":   {{Path: "/judging/rounds/999999/slots/999999/delete", Allow: judgingRoles}},
	"GET /judging/editions/{edition}/programme":          {{Path: "/judging/editions/2026/programme", Allow: only(webtest.Admin)}},
	"POST /judging/editions/{edition}/programme":         {{Path: "/judging/editions/2026/programme", Allow: only(webtest.Admin)}},
	"GET /judging/editions/{edition}/attendance":         {{Path: "/judging/editions/2026/attendance", Allow: only(webtest.Admin)}},
	"GET /judging/editions/{edition}/attendance.csv":     {{Path: "/judging/editions/2026/attendance.csv", Allow: only(webtest.Admin)}},
	"GET /api/v1/judging/rounds/{round}/slots":           {{Path: "/api/v1/judging/rounds/999999/slots", Allow: judgingRoles}},
	"POST /api/v1/judging/rounds/{round}/slots":          {{Path: "/api/v1/judging/rounds/999999/slots", Body: `{"application":1}`, Allow: judgingRoles}},
	"GET /api/v1/judging/editions/{edition}/invitations": {{Path: "/api/v1/judging/editions/2026/invitations", Allow: only(webtest.Admin)}},
	"PUT /api/v1/judging/editions/{edition}/programme":   {{Path: "/api/v1/judging/editions/2026/programme", Body: `{"items":[]}`, Allow: only(webtest.Admin)}},
	// The judging API: round routes are probed on a round that does not
	// exist (404 for a role the route lets in). No fixture user judges
	// 2026 here, so the service refuses everyone their assignments (403);
	// a judge's own list is tested by judging_api_test.go.
	"GET /api/v1/judging/editions/{edition}/assignments":          {{Path: "/api/v1/judging/editions/2026/assignments", Allow: nil}},
	"GET /api/v1/judging/rounds/{round}/applications/{id}/scores": {{Path: "/api/v1/judging/rounds/999999/applications/999999/scores", Allow: judgingRoles}},
	"PUT /api/v1/judging/rounds/{round}/applications/{id}/scores": {{Path: "/api/v1/judging/rounds/999999/applications/999999/scores", Body: `{"submit":false}`, Allow: judgingRoles}},
	"GET /api/v1/judging/rounds/{round}/progress":                 {{Path: "/api/v1/judging/rounds/999999/progress", Allow: judgingRoles}},
	"GET /api/v1/judging/rounds/{round}/assignment":               {{Path: "/api/v1/judging/rounds/999999/assignment", Allow: judgingRoles}},
	"GET /api/v1/judging/rounds/{round}/results":                  {{Path: "/api/v1/judging/rounds/999999/results", Allow: judgingRoles}},

	// The survey: answering and results are public; everything else is the secretariat's.
	"GET /survey":                                  {{Path: "/survey", Allow: everyone}},
	"GET /survey/pow.js":                           {{Path: "/survey/pow.js", Allow: everyone}},
	"GET /survey/{edition}/{city}":                 {{Path: "/survey/2026/" + webtest.CityX, Allow: everyone}},
	"POST /survey/{edition}/{city}":                {{Path: "/survey/2026/" + webtest.CityX, Allow: everyone}},
	"GET /survey/{edition}/{city}/results":         {{Path: "/survey/2026/" + webtest.CityX + "/results", Allow: everyone}},
	"GET /survey/{edition}/{city}/results.csv":     {{Path: "/survey/2026/" + webtest.CityX + "/results.csv", Allow: everyone}},
	"GET /survey/{edition}/compare":                {{Path: "/survey/2026/compare", Allow: everyone}},
	"GET /survey/{edition}/results.csv":            {{Path: "/survey/2026/results.csv", Allow: everyone}},
	"GET /survey/{edition}/results.xlsx":           {{Path: "/survey/2026/results.xlsx", Allow: everyone}},
	"GET /api/v1/survey/{edition}/index-values":    {{Path: "/api/v1/survey/2026/index-values", Allow: everyone}},
	"GET /api/v1/survey/{edition}/results":         {{Path: "/api/v1/survey/2026/results", Allow: everyone}},
	"GET /admin/survey":                            {{Path: "/admin/survey", Allow: only(webtest.Admin)}},
	"POST /admin/survey":                           {{Path: "/admin/survey", Allow: only(webtest.Admin)}},
	"GET /admin/survey/{edition}":                  {{Path: "/admin/survey/2026", Allow: only(webtest.Admin)}},
	"GET /admin/survey/{edition}/instrument":       {{Path: "/admin/survey/2026/instrument", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/instrument":      {{Path: "/admin/survey/2026/instrument", Allow: only(webtest.Admin)}},
	"GET /admin/survey/{edition}/instrument.xlsx":  {{Path: "/admin/survey/2026/instrument.xlsx", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/instrument.xlsx": {{Path: "/admin/survey/2026/instrument.xlsx", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/margins":         {{Path: "/admin/survey/2026/margins", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/responses":       {{Path: "/admin/survey/2026/responses", Allow: only(webtest.Admin)}},
	"GET /admin/survey/{edition}/responses.csv":    {{Path: "/admin/survey/2026/responses.csv", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/compute":         {{Path: "/admin/survey/2026/compute", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/invites":         {{Path: "/admin/survey/2026/invites", Allow: only(webtest.Admin)}},
	"POST /admin/survey/responses/{id}/override":   {{Path: "/admin/survey/responses/999999/override", Allow: only(webtest.Admin)}},
	"GET /admin/survey/{edition}/topics":           {{Path: "/admin/survey/2026/topics", Allow: only(webtest.Admin)}},
	"POST /admin/survey/{edition}/topics":          {{Path: "/admin/survey/2026/topics", Body: "rows=0", Allow: only(webtest.Admin)}},
}

// Who may use a prize route: the routes of applications let in
// applicants, focal points and the secretariat (the service then narrows
// to the application's applicant, the secretariat and an endorsing focal
// point); only applicants and focal points apply.
var (
	prizeReaders  = only(webtest.Applicant, webtest.Focal, webtest.Admin)
	prizeAppliers = only(webtest.Applicant, webtest.Focal)
	judgingRoles  = only(webtest.Judge, webtest.Partner, webtest.Admin)
)

// Who may use a data-call city route, for city X (the focal point's, region
// A), city XB (region A) and city Y (region B).
var (
	viewers   = [3][]string{only(webtest.Admin, webtest.Regional, webtest.Focal), only(webtest.Admin, webtest.Regional), only(webtest.Admin)}
	editors   = [3][]string{only(webtest.Admin, webtest.Focal), only(webtest.Admin), only(webtest.Admin)}
	reviewers = [3][]string{only(webtest.Admin, webtest.Regional), only(webtest.Admin, webtest.Regional), only(webtest.Admin)}
)

func callProbes(suffix string, allow [3][]string) []probe {
	p := "/datacall/2026/cities/"
	return []probe{
		{Path: p + webtest.CityX + suffix, Allow: allow[0]},
		{Path: p + webtest.CityXB + suffix, Allow: allow[1]},
		{Path: p + webtest.CityY + suffix, Allow: allow[2]},
	}
}

// featureMatrixSetup seeds what feature probes need (an edition, a
// submission...) on the matrix test's server before the probes run.
func featureMatrixSetup(t *testing.T, env *webtest.Env) {
	ctx := context.Background()
	cs := &catalogue.Service{Store: env.Store, Audit: env.Store}
	if _, err := cs.SeedU4SSC(ctx, auditlog.System("test")); err != nil {
		t.Fatal(err)
	}
	inds, err := env.Store.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e, _, err := catalogue.NewEdition("2026", "Smart Cities Index 2026", 2025, now.AddDate(0, 0, -10), now.AddDate(0, 0, 30), inds)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = catalogue.StatusOpen
	if err := cs.CreateEdition(ctx, auditlog.System("test"), e); err != nil {
		t.Fatal(err)
	}
	if err := env.Services.Prize.SeedEdition(ctx, auditlog.System("test"), &prize.Edition{Code: "2026", Year: 2026,
		Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul",
		Opens: now.AddDate(0, 0, -10), Deadline: now.AddDate(0, 0, 30), Published: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Services.Survey.Configure(ctx, auditlog.System("test"), survey.Survey{Edition: "2026",
		Opens: now.AddDate(0, 0, -10), Closes: now.AddDate(0, 0, 30)}); err != nil {
		t.Fatal(err)
	}
}
