package web

import (
	"github.com/citylens/citylens/internal/diagnostic"
	"github.com/citylens/citylens/internal/jobs"
)

// registerJobs registers the services' job kinds on q and, with
// Config.DiagnosticJobs, the diagnostic ones (tests, drills).
func (s *Server) registerJobs(q *jobs.Queue) {
	if s.cfg.DiagnosticJobs {
		(&diagnostic.Jobs{Store: s.store, Now: s.now}).RegisterJobs(q)
	}
	s.registerFeatureJobs(q)
}
