package storetest

import "testing"

func TestSurveyStores(t *testing.T) { RunSurveySuite(t) }
