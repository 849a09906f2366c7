// Package indexspec reads CityLens's native index spec: a JSON document that
// names the framework, the data and every pipeline choice of an index.
package indexspec

import (
	"encoding/json"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// Spec is the document as written.
type Spec struct {
	Name   string        `json:"name"`
	Method engine.Method `json:"method"`
	// Uncertainty is read by the uncertainty and sensitivity commands.
	Uncertainty json.RawMessage `json:"uncertainty,omitempty"`
}

// Index is a spec with its framework and data loaded.
type Index struct {
	Spec      *Spec
	Framework *engine.Framework
	Data      *engine.Data
	Method    engine.Method
}

// Load reads the spec at path and the files it names (relative to the spec's folder).
func Load(path string) (*Index, error) {
	return nil, citylens.Errorf(citylens.EINVALID, "index spec: not implemented yet")
}
