package web

import (
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
)

// Services are the domain services the handlers call, built once from the
// store. Background jobs belong to them (Publication.RegisterJobs).
type Services struct {
	Members     *members.Service
	Accounts    *accounts.Service
	Catalogue   *catalogue.Service
	DataCall    *datacall.Service
	Releases    *release.Workflow
	Publication *publication.Service // compute, preview, publish, correct
}

// withDefaults fills the services cfg leaves nil, from cfg's store and settings.
func (sv Services) withDefaults(cfg Config) Services {
	st, now := cfg.Store, cfg.Now
	if sv.Members == nil {
		sv.Members = &members.Service{Store: st, Audit: st, Now: now}
	}
	if sv.Accounts == nil {
		params := accounts.DefaultArgon2
		if cfg.Argon2 != nil {
			params = *cfg.Argon2
		}
		sv.Accounts = &accounts.Service{Store: st, Audit: st, Scopes: st, Mail: cfg.Mail,
			Hasher: accounts.NewHasher(params), Limiter: cfg.LoginLimiter, Now: now, BaseURL: cfg.BaseURL}
	}
	if sv.Catalogue == nil {
		sv.Catalogue = &catalogue.Service{Store: st, Audit: st, Now: now}
	}
	if sv.DataCall == nil {
		sv.DataCall = &datacall.Service{Store: st, Catalogue: st, Audit: st, Now: now, Calls: &datacall.CallCache{}}
	}
	if sv.Releases == nil {
		sv.Releases = &release.Workflow{Store: st, Audit: st, Now: now}
	}
	if sv.Publication == nil {
		sv.Publication = &publication.Service{Store: st, DataCall: sv.DataCall, Releases: sv.Releases, Now: now, Demo: cfg.Demo}
	}
	return sv
}

// Services returns the server's domain services (commands and the demo
// seeding use them).
func (s *Server) Services() Services { return s.svc }
