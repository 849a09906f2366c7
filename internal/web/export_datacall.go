package web

import (
	"github.com/citylens/citylens/internal/datacall"
)

// Core helpers the data-call area (internal/web/datacallweb) needs.

// DataCallCache is the server's one cache of loaded data calls: the
// data-call area's service reads through it, and the edition and
// catalogue pages invalidate it after their edits, so both must share it.
func (s *Server) DataCallCache() *datacall.CallCache { return s.calls }
