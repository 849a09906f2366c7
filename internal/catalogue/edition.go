package catalogue

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// Edition statuses. A data call runs while an edition is open and inside its window.
const (
	StatusDraft  = "draft"  // being defined; cities see nothing yet
	StatusOpen   = "open"   // the data call is open (within Opens..Closes)
	StatusClosed = "closed" // no more entries; review and compute go on
)

// Node kinds of an edition's framework.
const (
	KindAggregate = "aggregate"
	KindIndicator = "indicator"
)

// Node is one element of an edition's framework. Indicator nodes name a
// catalogue indicator by its code and take its name, unit and direction from it.
type Node struct {
	Code   string  `json:"code"`
	Name   string  `json:"name,omitempty"`    // aggregates; indicators default to the catalogue name
	NameKo string  `json:"name_ko,omitempty"` // the Korean name; indicators default to the catalogue's
	Parent string  `json:"parent,omitempty"`
	Kind   string  `json:"kind"`
	Weight float64 `json:"weight"`
	// Direction overrides the catalogue's for this edition (0 keeps it).
	Direction int `json:"direction,omitempty"`
	// Optional indicators may be left empty by a city that submits.
	Optional bool `json:"optional,omitempty"`
}

// Edition is one round of the index: a framework drawn from the catalogue, a
// method, a reference year and a data-call window.
type Edition struct {
	Code            string        `json:"code"` // e.g. "2026"
	Name            string        `json:"name"`
	ReferenceYear   int           `json:"reference_year"`
	PreviousEdition string        `json:"previous_edition,omitempty"` // source of "last edition's value"
	Opens           time.Time     `json:"opens"`
	Closes          time.Time     `json:"closes"`
	Status          string        `json:"status"`
	JumpThreshold   float64       `json:"jump_threshold"` // a relative year-on-year change above it needs a comment (0.5 = 50%)
	Framework       []Node        `json:"framework"`
	Method          engine.Method `json:"method"`
	// Release is the edition's release configuration (development stages,
	// ratings within peer groups, the uncertainty analysis), as the release
	// package reads it; empty for its defaults.
	Release json.RawMessage `json:"release,omitempty"`
}

// StatusPhrase is an edition status as a message argument, worded in the
// reader's language on a page.
// A status that is not one (a typo in a request) is itself.
func StatusPhrase(status string) citylens.Phrase {
	switch status {
	case StatusDraft, StatusOpen, StatusClosed:
		return citylens.Phrase{Key: "edition.status." + status, English: status}
	}
	return citylens.Phrase{English: status}
}

// DefaultJumpThreshold is the year-on-year change that needs a comment unless an edition says otherwise.
const DefaultJumpThreshold = 0.5

// Validate checks the edition against the catalogue, naming the field or
// code at fault. It builds the engine framework so the compute cannot fail
// later on the framework's shape.
func (e *Edition) Validate(cat map[string]Indicator) error {
	// Every message names the edition: format is the key's English text
	// after "edition %q: ".
	bad := func(key, format string, args ...any) error {
		return citylens.Ef(citylens.EINVALID, key, "edition %q: "+format, append([]any{e.Code}, args...)...)
	}
	if !ValidCode(e.Code) {
		return citylens.Ef(citylens.EINVALID, "catalogue.edition.code", "edition code %q: use 1 to 40 letters, digits, '-', '_' or '.' (e.g. 2026)", e.Code)
	}
	if strings.TrimSpace(e.Name) == "" {
		return bad("catalogue.edition.name", "name is required")
	}
	if e.ReferenceYear < 1990 || e.ReferenceYear > 2100 {
		return bad("catalogue.edition.reference_year", "reference year %d is not between 1990 and 2100", e.ReferenceYear)
	}
	if e.PreviousEdition == e.Code {
		return bad("catalogue.edition.own_previous", "an edition cannot be its own previous edition")
	}
	if e.Opens.IsZero() || e.Closes.IsZero() {
		return bad("catalogue.edition.window", "the data-call window needs an opening and a closing date")
	}
	if !e.Closes.After(e.Opens) {
		return bad("catalogue.edition.closes_before", "the data call closes (%s) before it opens (%s)", e.Closes.Format(time.DateOnly), e.Opens.Format(time.DateOnly))
	}
	switch e.Status {
	case StatusDraft, StatusOpen, StatusClosed:
	default:
		return bad("catalogue.edition.status", "status must be draft, open or closed, got %q", e.Status)
	}
	if !(e.JumpThreshold > 0) || math.IsInf(e.JumpThreshold, 0) {
		return bad("catalogue.edition.jump", "year-on-year jump threshold must be a positive fraction (0.5 = 50%%), got %v", e.JumpThreshold)
	}
	// The framework's and the method's errors are worded by the engine
	// (or EngineNodes); the edition's names them.
	f, err := e.EngineFramework(cat)
	if err != nil {
		return bad("catalogue.edition.engine", "%s", citylens.MessageArg(err))
	}
	// The method is checked against the shape of the edition's data sets.
	d, err := DataSet(f, []Unit{{Code: "x"}}, nil)
	if err != nil {
		return bad("catalogue.edition.engine", "%s", citylens.MessageArg(err))
	}
	if err := e.Method.Validate(f, d); err != nil {
		return bad("catalogue.edition.engine", "%s", citylens.MessageArg(err))
	}
	return nil
}

// EngineNodes converts the framework to engine nodes, taking names, units,
// directions and goalposts from the catalogue.
func (e *Edition) EngineNodes(cat map[string]Indicator) ([]engine.Node, error) {
	if len(e.Framework) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "catalogue.framework.empty", "framework: no nodes: add at least one indicator")
	}
	out := make([]engine.Node, 0, len(e.Framework))
	for i, n := range e.Framework {
		en := engine.Node{Code: n.Code, Name: n.Name, NameKo: n.NameKo, Parent: n.Parent, Weight: n.Weight}
		switch n.Kind {
		case KindAggregate:
			en.Kind = engine.Aggregate
			if en.Name == "" {
				en.Name = n.Code
			}
		case KindIndicator:
			ind, ok := cat[n.Code]
			if !ok {
				return nil, citylens.Ef(citylens.EINVALID, "catalogue.framework.unknown_indicator", "framework: indicator %q is not in the catalogue", n.Code)
			}
			en.Kind = engine.Indicator
			if en.Name == "" {
				en.Name = ind.Name
			}
			if en.NameKo == "" {
				en.NameKo = ind.Ko.Name
			}
			en.Unit, en.UnitKo = ind.Unit, ind.Ko.Unit
			en.Direction = ind.Direction
			if n.Direction != 0 {
				en.Direction = n.Direction
			}
			if en.Direction != 1 && en.Direction != -1 {
				return nil, citylens.Ef(citylens.EINVALID, "catalogue.framework.no_direction", "framework: indicator %q has no direction in the catalogue: set 1 (higher is better) or -1 (lower is better) for this edition", n.Code)
			}
			if ind.Min != nil && ind.Max != nil {
				en.Goalposts = &engine.Goalposts{Low: *ind.Min, High: *ind.Max}
			}
		default:
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.framework.kind", "framework: node %d (%q): kind must be aggregate or indicator, got %q", i+1, n.Code, n.Kind)
		}
		out = append(out, en)
	}
	return out, nil
}

// EngineFramework builds the engine's framework of the edition.
func (e *Edition) EngineFramework(cat map[string]Indicator) (*engine.Framework, error) {
	nodes, err := e.EngineNodes(cat)
	if err != nil {
		return nil, err
	}
	return engine.NewFramework(nodes)
}

// Indicators returns the edition's indicator nodes in framework order.
func (e *Edition) Indicators() []Node {
	var out []Node
	for _, n := range e.Framework {
		if n.Kind == KindIndicator {
			out = append(out, n)
		}
	}
	return out
}

// Required reports whether the edition asks every city for the indicator.
func (e *Edition) Required(code string) bool {
	for _, n := range e.Framework {
		if n.Kind == KindIndicator && n.Code == code {
			return !n.Optional
		}
	}
	return false
}

// CallOpen reports whether cities may enter values at now.
func (e *Edition) CallOpen(now time.Time) bool {
	return e.Status == StatusOpen && !now.Before(e.Opens) && now.Before(e.Closes)
}

// SetStatus moves the edition to status to: draft → open → closed, and
// closed → open to reopen a call. It validates before opening.
func (e *Edition) SetStatus(to string, cat map[string]Indicator) error {
	allowed := map[string][]string{
		StatusDraft:  {StatusOpen},
		StatusOpen:   {StatusClosed},
		StatusClosed: {StatusOpen},
	}
	ok := false
	for _, s := range allowed[e.Status] {
		ok = ok || s == to
	}
	if !ok {
		return citylens.Ef(citylens.ECONFLICT, "catalogue.edition.cannot_move", "edition %q is %s: it cannot move to %s", e.Code, StatusPhrase(e.Status), StatusPhrase(to))
	}
	prev := e.Status
	e.Status = to
	if to == StatusOpen {
		if err := e.Validate(cat); err != nil {
			e.Status = prev
			return err
		}
	}
	return nil
}

// ParseMethod reads a method as JSON, refusing unknown fields so a typo does
// not silently fall back to a default.
func ParseMethod(b []byte) (engine.Method, error) {
	var m engine.Method
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, citylens.Ef(citylens.EINVALID, "catalogue.method.json", "method: not valid JSON for a method: %s", err.Error())
	}
	return m, nil
}

// DefaultMethod is the method of an edition made from the catalogue: COINr's
// defaults (min-max 0-100, arithmetic means) and cities with less than
// two-thirds of the data not ranked.
func DefaultMethod() engine.Method {
	m := engine.DefaultMethod()
	m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 2.0 / 3}
	return m
}

// NewEdition makes a draft edition from catalogue indicators: an index over
// the E, S and G pillars, each over its indicators with equal weights.
// Indicators without a direction or a unit are left out (an edition needs
// both to score and to check entries); skipped lists them.
func NewEdition(code, name string, refYear int, opens, closes time.Time, inds []Indicator) (e *Edition, skipped []string, err error) {
	e = &Edition{
		Code: code, Name: name, ReferenceYear: refYear, Opens: opens, Closes: closes,
		Status: StatusDraft, JumpThreshold: DefaultJumpThreshold, Method: DefaultMethod(),
	}
	byPillar := map[string][]Node{}
	for _, ind := range inds {
		if ind.Direction == 0 || ind.Unit == "" {
			skipped = append(skipped, ind.Code)
			continue
		}
		p := ind.Xwalk.Pillar
		byPillar[p] = append(byPillar[p], Node{Code: ind.Code, Parent: p, Kind: KindIndicator, Weight: 1})
	}
	e.Framework = append(e.Framework, Node{Code: "INDEX", Name: "Smart Cities Index " + code, Kind: KindAggregate, Weight: 1})
	for _, p := range []string{PillarE, PillarS, PillarG} {
		if len(byPillar[p]) == 0 {
			continue
		}
		e.Framework = append(e.Framework, Node{Code: p, Name: PillarName(p), NameKo: PillarNameKo(p), Parent: "INDEX", Kind: KindAggregate, Weight: 1})
		e.Framework = append(e.Framework, byPillar[p]...)
	}
	if len(e.Framework) == 1 {
		return nil, skipped, citylens.Ef(citylens.EINVALID, "catalogue.edition.no_indicators", "edition %q: none of the %d indicators has both a direction and a unit", code, len(inds))
	}
	if err := e.Validate(Index(inds)); err != nil {
		return nil, skipped, err
	}
	return e, skipped, nil
}

// EditionStore keeps editions. Implementations live in the store packages.
type EditionStore interface {
	// CreateEdition stores a new edition; ECONFLICT when the code is taken.
	CreateEdition(ctx context.Context, e *Edition) error
	// Edition returns one edition or an ENOTFOUND error.
	Edition(ctx context.Context, code string) (*Edition, error)
	// Editions returns every edition, newest reference year first.
	Editions(ctx context.Context) ([]*Edition, error)
	// UpdateEdition replaces a stored edition; ENOTFOUND when absent.
	UpdateEdition(ctx context.Context, e *Edition) error
}

// String describes an edition for logs.
func (e *Edition) String() string {
	return fmt.Sprintf("edition %s (%s, reference year %d)", e.Code, e.Status, e.ReferenceYear)
}

// Plausibility is an edition's plausibility checks of the data call: a
// value whose robust z-score (Iglewicz and Hoaglin's modified z-score,
// 0.6745·(x − median)/MAD) against the network's values of its indicator,
// or whose change since last edition against the network's changes,
// exceeds Z is flagged to the focal point and the reviewer with the
// reason. It does not refuse the value. It is set in the edition's release
// configuration ("plausibility": {"z": 3.5, "min_cities": 8}); zero
// fields take the defaults.
type Plausibility struct {
	Z         float64 `json:"z,omitempty"`          // default DefaultPlausibilityZ
	MinCities int     `json:"min_cities,omitempty"` // fewer values than this: no check (default DefaultPlausibilityMin)
	Off       bool    `json:"off,omitempty"`        // no plausibility flags
}

// Plausibility defaults: a modified z-score above 3.5 (Iglewicz and
// Hoaglin's recommendation), computed over at least 8 cities.
const (
	DefaultPlausibilityZ   = 3.5
	DefaultPlausibilityMin = 8
)

// WithDefaults returns p with its zero fields set to the defaults.
func (p Plausibility) WithDefaults() Plausibility {
	if p.Z <= 0 {
		p.Z = DefaultPlausibilityZ
	}
	if p.MinCities <= 0 {
		p.MinCities = DefaultPlausibilityMin
	}
	return p
}

// PlausibilityOf reads the edition's plausibility settings from its release
// configuration (the defaults without them). A configuration that does not
// parse is the release's to report; here it means the defaults.
func (e *Edition) PlausibilityOf() Plausibility {
	var c struct {
		Plausibility Plausibility `json:"plausibility"`
	}
	if len(e.Release) > 0 {
		_ = json.Unmarshal(e.Release, &c)
	}
	return c.Plausibility.WithDefaults()
}
