package web

import (
	"context"
	"sync"

	"github.com/citylens/citylens/internal/release"
)

// What the explorer area (internal/web/explorerweb) and the release
// workflow, still in the core, share: the explorer keeps the published
// releases it has read and its list of them; the workflow reads releases
// through that cache (to measure a draft against the live release, to
// correct one) and tells it when it publishes, so this replica shows the
// new release at once.

// PublishedReleases is a cache of published releases.
type PublishedReleases interface {
	// Release is a published release by hash, read once and kept.
	Release(ctx context.Context, hash string) (*release.Release, error)
	// Published tells the cache the list of published releases changed.
	Published()
}

// SharePublishedReleases makes p the server's cache of published releases
// (an area calls it from Register).
func (s *Server) SharePublishedReleases(p PublishedReleases) { s.explorer.published = p }

// explorerLink is the server's side of that sharing, and the release
// workflow's cache of parsed draft previews (releases_preview.go).
type explorerLink struct {
	published PublishedReleases // nil: no explorer area, releases are read each time

	mu       sync.Mutex                  // guards previews
	previews map[string]*release.Release // parsed draft previews, by hash
}

// forget tells the explorer a release was published.
func (e *explorerLink) forget() {
	if e.published != nil {
		e.published.Published()
	}
}

// loadRelease returns a published release by hash, from the explorer's
// cache when there is one.
func (s *Server) loadRelease(ctx context.Context, hash string) (*release.Release, error) {
	if p := s.explorer.published; p != nil {
		return p.Release(ctx, hash)
	}
	return s.releaseWorkflow().Load(ctx, hash)
}

// shortHash is the first 12 characters of a release hash (logs).
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
