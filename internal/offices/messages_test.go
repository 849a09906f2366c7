package offices

import (
	"testing"

	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

// TestMessagesMatchCatalogue: every keyed message of the package is in
// both catalogues, worded in English as the code logs it.
func TestMessagesMatchCatalogue(t *testing.T) { i18ntest.MessagesMatchCatalogue(t, 2) }
