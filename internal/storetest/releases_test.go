package storetest

import "testing"

func TestReleaseStores(t *testing.T) { RunReleaseSuite(t) }
