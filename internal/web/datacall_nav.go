package web

import (
	"github.com/citylens/citylens/internal/accounts"
)

// dataCallNav adds the catalogue for everyone and the data call for the
// people who take part in it.
func (s *Server) dataCallNav(v Viewer) []NavLink {
	links := []NavLink{{"/catalogue", "nav.indicators"}}
	if !v.SignedIn() {
		return links
	}
	switch v.User.Role {
	case accounts.RoleAdmin:
		links = append(links, NavLink{"/admin/editions", "nav.editions"}, NavLink{"/datacall", "nav.datacall"})
	case accounts.RoleRegional, accounts.RoleFocal:
		links = append(links, NavLink{"/datacall", "nav.datacall"})
	}
	return links
}
