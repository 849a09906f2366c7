package web_test

import (
	"testing"

	"github.com/citylens/citylens/internal/web/webtest"
)

// featureMatrix holds the authorisation expectations of feature modules'
// routes (catalogue, data call, ...), keyed by route pattern as in
// platformMatrix. TestAuthorisationMatrix fails for any registered route
// missing from both. Owned by the feature modules.
var featureMatrix = map[string][]probe{}

// featureMatrixSetup seeds what feature probes need (an edition, a
// submission...) on the matrix test's server before the probes run.
func featureMatrixSetup(t *testing.T, env *webtest.Env) {}
