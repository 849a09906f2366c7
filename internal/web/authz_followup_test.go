package web_test

import "github.com/citylens/citylens/internal/web/webtest"

// The winners' follow-up's routes, probed on a study, a milestone and a
// file that do not exist (404 for a role the route lets in). Editing
// routes let every signed-in user reach the service, which answers 403 to
// whoever does not edit the study: that, and who sees which evidence, is
// tested by followup_http_test.go with real studies.
func init() {
	for k, v := range map[string][]probe{
		"GET /followup":                              {{Path: "/followup", Allow: everyone}},
		"GET /followup/studies/{id}":                 {{Path: "/followup/studies/999999", Allow: everyone}},
		"POST /followup/studies/{id}":                {{Path: "/followup/studies/999999", Body: "currency=KRW&budget=1", Allow: signedIn}},
		"POST /followup/studies/{id}/partners":       {{Path: "/followup/studies/999999/partners", Body: "name=x", Allow: signedIn}},
		"POST /followup/studies/{id}/milestones":     {{Path: "/followup/studies/999999/milestones", Body: "title=x", Allow: signedIn}},
		"POST /followup/studies/{id}/milestones/{m}": {{Path: "/followup/studies/999999/milestones/1", Body: "due=2030-01-01", Allow: signedIn}},
		"POST /followup/studies/{id}/milestones/{m}/evidence": {{Path: "/followup/studies/999999/milestones/1/evidence", Body: "kind=link",
			Allow: signedIn}},
		"POST /followup/studies/{id}/partners/{p}":        {{Path: "/followup/studies/999999/partners/1", Body: "name=x", Allow: signedIn}},
		"POST /followup/studies/{id}/partners/{p}/remove": {{Path: "/followup/studies/999999/partners/1/remove", Allow: signedIn}},
		"POST /followup/studies/{id}/evidence/{e}":        {{Path: "/followup/studies/999999/evidence/1", Body: "label=x", Allow: signedIn}},
		"POST /followup/studies/{id}/evidence/{e}/remove": {{Path: "/followup/studies/999999/evidence/1/remove", Allow: signedIn}},
		"GET /api/v1/followup/studies":                    {{Path: "/api/v1/followup/studies", Allow: everyone}},
		"GET /api/v1/followup/studies/{id}":               {{Path: "/api/v1/followup/studies/999999", Allow: everyone}},
		"GET /api/v1/me/inbox":                            {{Path: "/api/v1/me/inbox", Allow: signedIn}},
		"POST /api/v1/me/inbox/read":                      {{Path: "/api/v1/me/inbox/read", Body: `{"all":true}`, Allow: signedIn}},
		"GET /api/v1/me/training":                         {{Path: "/api/v1/me/training", Allow: signedIn}},
		"GET /followup/files/{file}":                      {{Path: "/followup/files/0123456789abcdef0123456789abcdef", Allow: everyone}},
		"GET /followup/report/{edition}":                  {{Path: "/followup/report/1999", Allow: everyone}},
		"GET /followup/report/{edition}/pdf":              {{Path: "/followup/report/1999/pdf", Allow: everyone}},
		"POST /admin/followup/studies/{id}/modality":      {{Path: "/admin/followup/studies/999999/modality", Body: "modality=pilot_programme", Allow: only(webtest.Admin)}},
		"POST /admin/followup/studies/{id}/review":        {{Path: "/admin/followup/studies/999999/review", Allow: only(webtest.Admin)}},
		"POST /admin/followup/{edition}/open":             {{Path: "/admin/followup/1999/open", Allow: only(webtest.Admin)}},
	} {
		featureMatrix[k] = v
	}
}
