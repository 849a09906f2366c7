package datacall

import (
	"context"
	"sync"
	"time"

	"github.com/citylens/citylens/internal/catalogue"
)

// CatalogueVersioner is a store that tells the version of the catalogue and
// the editions: a number that changes with every write to either, whoever
// makes it (this replica, another one, the command line).
type CatalogueVersioner interface {
	CatalogueVersion(ctx context.Context) (int64, error)
}

// DefaultCallTTL is how long a CallCache keeps a call when the store cannot
// tell the catalogue's version.
const DefaultCallTTL = 2 * time.Second

// CallCache keeps loaded calls (an edition and the whole catalogue, which
// only the secretariat changes, rarely) so that saving one value does not
// read and decode 300 indicators and a framework again. One cache serves
// every request of a server; a Call taken from it is shared: read it, never
// change it.
//
// Freshness. When the store is a CatalogueVersioner, every load asks for
// the version (one one-row query) and a cached call is used only while the
// version is the one it was loaded at: an edit made on any replica is seen
// by the next request everywhere. Otherwise a cached call is used for TTL
// at most, and Invalidate (which the web layer calls after its own
// catalogue edits) drops every call at once.
type CallCache struct {
	TTL time.Duration // 0 means DefaultCallTTL
	Now func() time.Time

	mu    sync.Mutex
	gen   uint64 // bumped by Invalidate
	calls map[string]cachedCall
}

type cachedCall struct {
	call    *Call
	version int64
	loaded  time.Time
}

// Invalidate drops every cached call (nothing on a nil cache).
func (c *CallCache) Invalidate() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen++
	c.calls = nil
	c.mu.Unlock()
}

func (c *CallCache) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// get returns the cached call of edition or loads it.
func (c *CallCache) get(ctx context.Context, edition string, versions CatalogueVersioner, load func(context.Context, string) (*Call, error)) (*Call, error) {
	var version int64
	if versions != nil {
		v, err := versions.CatalogueVersion(ctx)
		if err != nil {
			return nil, err
		}
		version = v
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultCallTTL
	}
	now := c.now()
	c.mu.Lock()
	hit, ok := c.calls[edition]
	gen := c.gen
	c.mu.Unlock()
	if ok && hit.version == version && (versions != nil || now.Sub(hit.loaded) < ttl) {
		return hit.call, nil
	}
	// The version is read before the call: an edit in between makes the
	// stored version older than the data, so the next request reloads.
	call, err := load(ctx, edition)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen { // not invalidated while loading
		if c.calls == nil {
			c.calls = map[string]cachedCall{}
		}
		c.calls[edition] = cachedCall{call: call, version: version, loaded: now}
	}
	c.mu.Unlock()
	return call, nil
}

// newCall builds a call and what checking values against it needs.
func newCall(e *catalogue.Edition, inds []catalogue.Indicator) *Call {
	call := &Call{Edition: e, Catalogue: catalogue.Index(inds)}
	nodes := e.Indicators()
	call.inEdition = make(map[string]catalogue.Indicator, len(nodes))
	for _, n := range nodes {
		call.inEdition[n.Code] = call.Catalogue[n.Code]
	}
	return call
}
