package web_test

import "github.com/citylens/citylens/internal/web/webtest"

// Needs and strengths and the matching rounds, probed on a round that
// does not exist (404 for a role the route lets in) and on the focal
// point's own city (an invalid decision: 400). Who may decide for which
// city, answer for which side and see which round is tested by
// matching_http_test.go with real rounds.
func init() {
	focalCity := "/exchange/cities/" + webtest.CityX
	for k, v := range map[string][]probe{
		"GET /exchange/cities/{city}":        {{Path: "/exchange/cities/no-such-city", Allow: everyone}},
		"POST /exchange/cities/{city}/items": {{Path: focalCity + "/items", Body: "action=maybe&side=need", Allow: only(webtest.Admin, webtest.Focal)}},
		"GET /exchange/rounds":               {{Path: "/exchange/rounds", Allow: everyone}},
		"GET /exchange/rounds/{id}":          {{Path: "/exchange/rounds/999999", Allow: everyone}},
		"POST /exchange/rounds/{id}/opt": {{Path: "/exchange/rounds/999999/opt", Body: "city=" + webtest.CityX + "&learner=1&mentor=1",
			Allow: only(webtest.Admin, webtest.Focal)}},
		"POST /exchange/rounds/{id}/answer": {{Path: "/exchange/rounds/999999/answer",
			Body: "learner=" + webtest.CityX + "&mentor=" + webtest.CityXB + "&city=" + webtest.CityX + "&answer=accepted", Allow: only(webtest.Admin, webtest.Focal)}},
		"POST /admin/exchange/rounds":            {{Path: "/admin/exchange/rounds", Body: "title=", Allow: only(webtest.Admin)}},
		"POST /admin/exchange/rounds/{id}/run":   {{Path: "/admin/exchange/rounds/999999/run", Allow: only(webtest.Admin)}},
		"POST /admin/exchange/rounds/{id}/state": {{Path: "/admin/exchange/rounds/999999/state", Body: "state=closed", Allow: only(webtest.Admin)}},
	} {
		featureMatrix[k] = v
	}
}
