// Package app wires CityLens together: the domain services, built once from
// a store, and the web server with one area per part of the platform. The
// binary (cmd/citylens) and the tests (internal/web/webtest) both start the
// platform through it, so they run the same assembly.
package app

import (
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/explorerweb"
)

// NewServer builds the web server with every area on cfg's store.
func NewServer(cfg web.Config) (*web.Server, error) {
	return web.New(cfg, Areas(cfg)...)
}

// Areas are the web layer's areas, each holding the services it calls.
func Areas(cfg web.Config) []web.Area {
	var areas []web.Area
	areas = append(areas, explorerweb.New(explorerweb.Config{Store: cfg.Store,
		Releases: &release.Workflow{Store: cfg.Store, Audit: cfg.Store, Now: cfg.Now},
		Limits:   explorerweb.LimitsOf(cfg.ExplorerCacheBytes)}))
	return areas
}
