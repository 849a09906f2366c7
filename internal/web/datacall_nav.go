package web

import (
	"github.com/citylens/citylens/internal/accounts"
)

// dataCallNav adds the data call for the people who take part in it (the
// catalogue and the editions come from the releases area, releaseweb).
func (s *Server) dataCallNav(v Viewer) []NavLink {
	var links []NavLink
	if !v.SignedIn() {
		return links
	}
	switch v.User.Role {
	case accounts.RoleAdmin, accounts.RoleRegional, accounts.RoleFocal:
		links = append(links, NavLink{"/datacall", "nav.datacall"})
	}
	return links
}
