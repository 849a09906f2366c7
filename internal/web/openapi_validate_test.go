package web_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/citylens/citylens/internal/web"
)

// apiSchemas validates bodies against the server's OpenAPI document with a
// JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1's schemas).
type apiSchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
	ops      map[string]web.APIOperation
}

const openAPIURL = "https://citylens.test/api/v1/openapi.json"

func newAPISchemas(t *testing.T, s *web.Server) *apiSchemas {
	t.Helper()
	raw, err := json.Marshal(s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openAPIURL, doc); err != nil {
		t.Fatal(err)
	}
	a := &apiSchemas{compiler: c, compiled: map[string]*jsonschema.Schema{}, ops: map[string]web.APIOperation{}}
	for _, op := range s.APIOperations() {
		a.ops[op.ID] = op
	}
	return a
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (a *apiSchemas) schema(t *testing.T, ptr string) *jsonschema.Schema {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.compiled[ptr]; ok {
		return s
	}
	s, err := a.compiler.Compile(openAPIURL + "#" + ptr)
	if err != nil {
		t.Fatalf("compiling %s: %v", ptr, err)
	}
	a.compiled[ptr] = s
	return s
}

// validate checks body, answered with status to operation opID, against
// the document: the success schema, or the problem document for an error.
func (a *apiSchemas) validate(t *testing.T, opID string, status int, body string) {
	t.Helper()
	op, ok := a.ops[opID]
	if !ok {
		t.Fatalf("no operation %s in the OpenAPI document", opID)
	}
	ptr := "/components/schemas/ProblemDocument"
	if status < 400 {
		if status != op.Status {
			t.Errorf("%s answered %d; the document says %d", opID, status, op.Status)
			return
		}
		ptr = "/paths/" + pointerEscape(op.Path) + "/" + strings.ToLower(op.Method) + "/responses/" + strconv.Itoa(status) + "/content/application~1json/schema"
	} else if !documentsStatus(op, status) {
		t.Errorf("%s answered %d, a status the document does not list", opID, status)
	}
	if err := a.checkAt(t, ptr, body); err != nil {
		t.Errorf("%s (%d): the answer does not match the OpenAPI document:\n%v\n%.600s", opID, status, err, body)
	}
}

// check validates body as operation opID's answer with status (a success).
func (a *apiSchemas) check(t *testing.T, opID string, status int, body string) error {
	t.Helper()
	op := a.ops[opID]
	return a.checkAt(t, "/paths/"+pointerEscape(op.Path)+"/"+strings.ToLower(op.Method)+"/responses/"+strconv.Itoa(status)+"/content/application~1json/schema", body)
}

func (a *apiSchemas) checkAt(t *testing.T, ptr, body string) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		return err
	}
	return a.schema(t, ptr).Validate(v)
}

func documentsStatus(op web.APIOperation, status int) bool {
	switch status {
	case 400, 429, 500:
		return true
	}
	for _, s := range op.Errors {
		if s == status {
			return true
		}
	}
	return false
}
