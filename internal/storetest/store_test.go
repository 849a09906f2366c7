package storetest

import "testing"

func TestStores(t *testing.T) { RunSuite(t) }
