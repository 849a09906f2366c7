package explorerweb

import "github.com/citylens/citylens/internal/web"

var releaseDocs = web.SchemaDocs{}
