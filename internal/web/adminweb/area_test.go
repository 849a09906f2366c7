package adminweb

import (
	"testing"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/web"
)

// TestNav: admins reach every screen, regional officers and focal points
// their cities, others nothing; every label is a catalogue key.
func TestNav(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[accounts.Role]int{accounts.RoleAdmin: 7, accounts.RoleRegional: 1, accounts.RoleFocal: 1}
	viewers := []web.Viewer{{}}
	for _, r := range accounts.Roles {
		viewers = append(viewers, web.Viewer{User: accounts.User{ID: 1, Role: r}})
	}
	a := New(nil, nil, nil, nil)
	for _, v := range viewers {
		links := a.Nav(v)
		if len(links) != want[v.User.Role] {
			t.Errorf("navigation of %q: %d links, want %d: %v", v.User.Role, len(links), want[v.User.Role], links)
		}
		for _, l := range links {
			if !cat.Has(l.Label) {
				t.Errorf("navigation of %q: label %q is not a catalogue key", v.User.Role, l.Label)
			}
		}
	}
}
