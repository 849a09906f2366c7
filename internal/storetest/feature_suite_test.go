package storetest

import "testing"

func TestCatalogueStores(t *testing.T) { RunFeatureSuite(t, CatalogueSuite) }

func TestDataCallStores(t *testing.T) { RunFeatureSuite(t, DataCallSuite) }

func TestPrizeStores(t *testing.T)    { RunPrizeSuite(t) }
func TestJudgingStores(t *testing.T)  { RunJudgingSuite(t) }
func TestExchangeStores(t *testing.T) { RunExchangeSuite(t) }
func TestMatchingStores(t *testing.T) { RunMatchingSuite(t) }

func TestTrainingStores(t *testing.T) { RunTrainingSuite(t) }
func TestEventsStores(t *testing.T)   { RunEventsSuite(t) }

func TestFollowupStores(t *testing.T) { RunFollowupSuite(t) }
func TestNotifyStores(t *testing.T)   { RunNotifySuite(t) }
