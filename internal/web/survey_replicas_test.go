package web_test

import (
	"net/http"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestSurveyRateLimitAcrossReplicas: the per-address limit on responses
// without a proof of work (5 per window) is counted in the database, so
// two servers on one database hold it together: submissions from one
// address alternating between them are refused from the sixth on (each
// server alone would have let five through, ten in all), with
// Retry-After, and only five are stored.
func TestSurveyRateLimitAcrossReplicas(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		envA := surveyEnv(t, s)
		envB := replica(t, envA, func(c *web.Config) { c.FairUse = web.FairUse{Anonymous: 1 << 30, Token: 1 << 30} })
		form := "/survey/2026/" + webtest.CityX
		var ok, limited int
		for i := 0; i < 10; i++ {
			env := envA
			if i%2 == 1 {
				env = envB
			}
			c := env.Client() // a new browser each time: same address
			_, page := c.Get(form)
			res, _ := c.PostForm(form, merge(formFields(t, page), answerForm(i)))
			switch res.StatusCode {
			case http.StatusOK:
				ok++
				if limited > 0 {
					t.Errorf("submission %d accepted after a refusal", i)
				}
			case http.StatusTooManyRequests:
				limited++
				if res.Header.Get("Retry-After") == "" {
					t.Errorf("submission %d: 429 without Retry-After", i)
				}
			default:
				t.Fatalf("submission %d: %d", i, res.StatusCode)
			}
		}
		if ok != 5 || limited != 5 {
			t.Errorf("%d accepted and %d refused across the two servers, want 5 and 5", ok, limited)
		}
		if n := len(responsesOf(t, envA, webtest.CityX)); n != 5 {
			t.Errorf("%d responses stored, want 5", n)
		}
	})
}
