package membersweb

import (
	"testing"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/web"
)

func TestNavLabelsAreKeys(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range New(nil).Nav(web.Viewer{}) {
		if !cat.Has(l.Label) {
			t.Errorf("label %q is not a catalogue key", l.Label)
		}
	}
}
