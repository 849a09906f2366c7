package datacallweb_test

import (
	"context"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/datacallweb"
)

// noStore stands for a database the route table and the navigation never
// touch, except for the server's shared HMAC key, read once at start.
type noStore struct{ app.Store }

func (noStore) ServerSecret(context.Context, string) (string, error) {
	return "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", nil
}

// TestNavLabelsAreKeys: every navigation label the area adds, for every
// role, is a catalogue key.
func TestNavLabelsAreKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := datacallweb.New(noStore{}, nil)
	viewers := []web.Viewer{{}}
	for _, r := range accounts.Roles {
		viewers = append(viewers, web.Viewer{User: accounts.User{ID: 1, Role: r}})
	}
	for _, v := range viewers {
		for _, l := range a.Nav(v) {
			if !cat.Has(l.Label) {
				t.Errorf("navigation of %q: label %q is not a catalogue key", v.User.Role, l.Label)
			}
		}
	}
}

// TestAPIOperationsAreTheAreasRoutes: the area documents exactly the API
// routes it registers.
func TestAPIOperationsAreTheAreasRoutes(t *testing.T) {
	a := datacallweb.New(noStore{}, nil)
	srv, err := web.New(web.Config{Store: noStore{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, a)
	if err != nil {
		t.Fatal(err)
	}
	var routes, documented []string
	for _, rt := range srv.Routes() {
		if rt.API && strings.HasPrefix(rt.Path, "/api/v1/datacall/") {
			routes = append(routes, rt.Pattern)
		}
	}
	for _, op := range a.APIOperations() {
		documented = append(documented, op.Pattern())
	}
	sort.Strings(documented)
	if len(routes) == 0 {
		t.Fatal("the area registers no API route")
	}
	if diff := cmp.Diff(routes, documented); diff != "" {
		t.Errorf("API routes (-registered +documented):\n%s", diff)
	}
}
