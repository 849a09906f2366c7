package release

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/engine"
)

// changeLog lists what a correction changes against the release it
// corrects: every data point added, removed or changed (value or
// provenance), every aggregate score and rank, every stage and rating that
// moved, and whether the framework, method, configuration or cities changed.
// Entries come in a fixed order: inputs, then per city (by code) its scores,
// ranks, stages and rating.
func changeLog(old, nu *Release) []Change {
	var out []Change
	same := func(a, b any) bool {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return string(x) == string(y)
	}
	// The framework, method and configuration: each setting that changed,
	// by its path, with its old and new value.
	for _, part := range []struct {
		kind    string
		old, nu any
	}{{ChangeFramework, old.d.Framework, nu.d.Framework}, {ChangeMethod, old.d.Method, nu.d.Method}, {ChangeConfig, old.d.Config, nu.d.Config}} {
		if !same(part.old, part.nu) {
			out = append(out, settingChanges(part.kind, part.old, part.nu)...)
		}
	}
	for _, c := range nu.d.Cities {
		if i, ok := old.cityIdx[c.Code]; !ok {
			out = append(out, Change{Kind: ChangeCities, City: c.Code, Old: "", New: "added"})
		} else if old.d.Cities[i] != c {
			out = append(out, Change{Kind: ChangeCities, City: c.Code, Old: "details", New: "changed"})
		}
	}
	for _, c := range old.d.Cities {
		if _, ok := nu.cityIdx[c.Code]; !ok {
			out = append(out, Change{Kind: ChangeCities, City: c.Code, Old: "present", New: "removed"})
		}
	}
	// Data points: both lists are sorted by city, then indicator.
	a, b := old.d.Data, nu.d.Data
	for i, j := 0, 0; i < len(a) || j < len(b); {
		switch {
		case j == len(b) || i < len(a) && (a[i].City < b[j].City || a[i].City == b[j].City && a[i].Indicator < b[j].Indicator):
			out = append(out, Change{Kind: ChangeValue, City: a[i].City, Code: a[i].Indicator, Old: num(a[i].Value), New: ""})
			i++
		case i == len(a) || a[i].City != b[j].City || a[i].Indicator != b[j].Indicator:
			out = append(out, Change{Kind: ChangeValue, City: b[j].City, Code: b[j].Indicator, Old: "", New: num(b[j].Value)})
			j++
		default:
			if a[i].Value != b[j].Value {
				out = append(out, Change{Kind: ChangeValue, City: b[j].City, Code: b[j].Indicator, Old: num(a[i].Value), New: num(b[j].Value)})
			}
			if pa, pb := provenance(a[i]), provenance(b[j]); pa != pb {
				out = append(out, Change{Kind: ChangeProvenance, City: b[j].City, Code: b[j].Indicator, Old: pa, New: pb})
			}
			i++
			j++
		}
	}
	// Results per city.
	aggs := nu.f.Aggregates()
	for ni, c := range nu.d.Cities {
		oi, ok := old.cityIdx[c.Code]
		if !ok {
			continue
		}
		for k := len(aggs) - 1; k >= 0; k-- { // the index first, down to the smallest aggregates
			code := aggs[k]
			os, orank := old.aggScore(oi, code)
			ns, nrank := nu.aggScore(ni, code)
			if !(os == ns || math.IsNaN(os) && math.IsNaN(ns)) {
				out = append(out, Change{Kind: ChangeScore, City: c.Code, Code: code, Old: num(os), New: num(ns)})
			}
			if orank != nrank {
				out = append(out, Change{Kind: ChangeRank, City: c.Code, Code: code, Old: rankText(orank), New: rankText(nrank)})
			}
		}
		or, nr := old.d.Results[oi], nu.d.Results[ni]
		if or.Stage != nr.Stage {
			out = append(out, Change{Kind: ChangeStage, City: c.Code, Code: nu.d.Index, Old: or.Stage, New: nr.Stage})
		}
		for k, p := range nu.d.Pillars {
			os, ns := stageAt(old, or, p), ""
			if k < len(nr.PillarStages) {
				ns = nr.PillarStages[k]
			}
			if os != ns {
				out = append(out, Change{Kind: ChangeStage, City: c.Code, Code: p, Old: os, New: ns})
			}
		}
		if or.Rating != nr.Rating {
			out = append(out, Change{Kind: ChangeRating, City: c.Code, Code: nu.d.Index, Old: or.Rating, New: nr.Rating})
		}
	}
	return out
}

func stageAt(r *Release, res cityResult, pillar string) string {
	k := indexOfCode(r.d.Pillars, pillar)
	if k < 0 || k >= len(res.PillarStages) {
		return ""
	}
	return res.PillarStages[k]
}

// aggScore returns city i's score and rank (0: none) on an aggregate.
func (r *Release) aggScore(i int, code string) (float64, int) {
	row, ok := r.rowIdx[r.d.Cities[i].Code]
	j, has := r.colAgg[code]
	if !ok || !has {
		return math.NaN(), 0
	}
	rank := 0
	if rk := r.d.Ranks.Cols[j][row]; !math.IsNaN(rk) {
		rank = int(rk)
	}
	return r.d.Aggregated.Cols[j][row], rank
}

// maxSettingChanges bounds the entries one changed part (framework, method,
// configuration) adds to a change log; the last says how many more.
const maxSettingChanges = 50

// settingChanges lists what differs between two settings documents, one
// entry per changed leaf: its path ("uncertainty.n", "stages[2].from"), old
// and new value ("" when absent).
func settingChanges(kind string, a, b any) []Change {
	fa, fb := map[string]string{}, map[string]string{}
	flattenJSON(a, fa)
	flattenJSON(b, fb)
	paths := map[string]bool{}
	for k := range fa {
		paths[k] = true
	}
	for k := range fb {
		paths[k] = true
	}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		if fa[k] != fb[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Change
	for i, k := range keys {
		if i == maxSettingChanges {
			out = append(out, Change{Kind: kind, Code: "…", Old: "", New: strconv.Itoa(len(keys)-i) + " more"})
			break
		}
		out = append(out, Change{Kind: kind, Code: k, Old: fa[k], New: fb[k]})
	}
	if len(out) == 0 { // same leaves, other shape (e.g. an empty list for none)
		out = append(out, Change{Kind: kind, Old: "", New: "changed"})
	}
	return out
}

// flattenJSON writes v's leaves (as JSON writes them) by path into out.
func flattenJSON(v any, out map[string]string) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return
	}
	var walk func(path string, x any)
	walk = func(path string, x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, c := range t {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(p, c)
			}
		case []any:
			for i, c := range t {
				walk(path+"["+strconv.Itoa(i)+"]", c)
			}
		case nil:
		default:
			s, _ := json.Marshal(t)
			out[path] = strings.Trim(string(s), `"`)
		}
	}
	walk("", x)
}

func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return FormatNumber(v)
}

// FormatNumber writes a number for a file or a reader: 15 significant
// digits, the precision a float64 carries, so that arithmetic noise
// (15.950000000000001, a quantile's 13.049999999999983) is not printed as
// if it were data: 15.95, 13.05.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', 15, 64)
}

func rankText(r int) string {
	if r == 0 {
		return ""
	}
	return strconv.Itoa(r)
}

func provenance(p DataPoint) string {
	s := p.Source + "; " + strconv.Itoa(p.DataYear)
	if p.Estimated {
		s += "; estimated"
	}
	return s
}

// GoalpostsReversed lists the lower-is-better indicators that this release
// normalised by goalposts with an engine older than
// engine.GoalpostsDirectionFixed: that engine scored them as if higher were
// better, so the release ranks cities backwards on them. A published release
// is never recomputed: the secretariat recomputes the edition and publishes
// a correction, whose change log shows every score that moved. Nil when the
// release is not affected.
func (r *Release) GoalpostsReversed() []string {
	if !olderEngine(r.d.EngineVersion, engine.GoalpostsDirectionFixed) {
		return nil
	}
	m := r.d.Method
	var out []string
	for _, n := range r.f.Nodes() {
		if n.Kind != engine.Indicator || n.Direction != -1 || n.Goalposts == nil {
			continue
		}
		spec := m.Normalise
		if o, ok := m.NormaliseIndicators[n.Code]; ok {
			spec = o
		}
		if spec.Method == engine.NormGoalposts {
			out = append(out, n.Code)
		}
	}
	return out
}

// olderEngine reports whether engine version v comes before w (versions
// are whole numbers written as text).
func olderEngine(v, w string) bool {
	a, errA := strconv.Atoi(v)
	b, errB := strconv.Atoi(w)
	return errA == nil && errB == nil && a < b
}
