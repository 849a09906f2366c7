package storetest

import "testing"

func TestPartnershipStores(t *testing.T) { RunPartnershipSuite(t) }
