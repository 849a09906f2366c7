package web

import (
	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
)

// Core helpers the data-call area (internal/web/datacallweb) needs.

// ProblemReason is a problem's reason in lang: its message key's text when
// it carries one (arguments worded as in error messages), its English
// Reason otherwise. For pages that list an import's problems themselves.
func (s *Server) ProblemReason(lang i18n.Lang, p citylens.Problem) string {
	if p.Key != "" {
		return s.keyed(lang, p.Key, p.Args)
	}
	return p.Reason
}
