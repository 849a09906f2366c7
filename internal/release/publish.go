package release

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/hdi"
)

// PublishInput is everything a release is published from.
type PublishInput struct {
	Draft  Draft
	Config Config
	// Previous is the previous edition's release: rank changes are measured
	// against it, matching cities by code. Nil for a first edition.
	Previous *Release
	// Corrects is the release of the same edition this one corrects; the new
	// release carries a change log against it. Nil for a first release.
	Corrects    *Release
	PublishedAt time.Time
	// Progress, when set, is called as publication goes: the stage and, for
	// the analyses, replications done of total.
	Progress func(Progress)
	// Workers for the analyses (0: all cores); results do not depend on it.
	Workers int
}

// Progress reports how far a publication is.
type Progress struct {
	Stage       string // building, uncertainty, sensitivity, finishing
	Done, Total int
}

// Publication stages.
const (
	StageBuilding    = "building"
	StageUncertainty = "uncertainty"
	StageSensitivity = "sensitivity"
	StageFinishing   = "finishing"
)

// Group columns a method may impute by (catalogue.Groups).
const (
	GroupRegion     = catalogue.GroupRegion
	GroupCountry    = catalogue.GroupCountry
	GroupPeer       = catalogue.GroupPeer
	GroupPopulation = catalogue.GroupPopulation
)

// Publish builds a release: it reruns the engine on the draft, runs the
// uncertainty and sensitivity analyses, assigns stages and ratings, measures
// rank changes since the previous edition, hashes the inputs and, for a
// correction, writes the change log. It stops with ECANCELED when ctx is done.
func Publish(ctx context.Context, in PublishInput) (*Release, error) {
	report := func(stage string, done, total int) {
		if in.Progress != nil {
			in.Progress(Progress{Stage: stage, Done: done, Total: total})
		}
	}
	report(StageBuilding, 0, 1)
	p, err := prepare(in)
	if err != nil {
		return nil, err
	}
	dc, f, d, cfg, dr := p.dc, p.f, p.d, p.cfg, in.Draft

	// The build and the uncertainty analysis.
	u := cfg.Uncertainty
	a, err := engine.NewAnalysis(ctx, f, d, dr.Method, u.Spec)
	if err != nil {
		return nil, err
	}
	a.Workers = in.Workers
	report(StageBuilding, 1, 1)
	a.Progress = func(done, total int) { report(StageUncertainty, done, total) }
	ua, err := a.RunUA(ctx, u.N, u.Seed)
	if err != nil {
		return nil, err
	}
	var sa *engine.SAResult
	if !u.SkipSA {
		a.Progress = func(done, total int) { report(StageSensitivity, done, total) }
		if sa, err = a.RunSA(ctx, u.SAN, u.Seed, u.Bootstrap); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, citylens.Errorf(citylens.ECANCELED, "publication cancelled: %v", err)
	}
	report(StageFinishing, 0, 1)
	nom := a.Nominal()
	audit, err := engine.Audit(nom)
	if err != nil {
		return nil, err
	}
	fillResults(&dc, nom, ua, sa, audit, in.Previous)
	r, err := load(dc)
	if err != nil {
		return nil, err
	}
	if in.Corrects != nil {
		r.d.Changes = changeLog(in.Corrects, r)
	}
	report(StageFinishing, 1, 1)
	return r, nil
}

// ContentHash is the hash Publish would give a release of in, without
// running the analyses: a preview made earlier is current when its hash
// equals this one.
func ContentHash(in PublishInput) (string, error) {
	p, err := prepare(in)
	if err != nil {
		return "", err
	}
	return p.dc.Hash, nil
}

type prepared struct {
	dc  doc
	f   *engine.Framework
	d   *engine.Data
	cfg Config
}

// prepare checks the inputs and hashes them: everything Publish does
// before the analyses.
func prepare(in PublishInput) (*prepared, error) {
	dr := in.Draft
	if strings.TrimSpace(dr.Edition) == "" {
		return nil, citylens.Errorf(citylens.EINVALID, "release: the draft names no edition")
	}
	f, err := engine.NewFramework(dr.Framework)
	if err != nil {
		return nil, err
	}
	index, pillars, err := indexOf(f)
	if err != nil {
		return nil, err
	}
	cities, err := checkCities(dr.Cities)
	if err != nil {
		return nil, err
	}
	cfg, err := in.Config.resolve(f, dr.Method, index, pillars)
	if err != nil {
		return nil, err
	}
	licence, err := cfg.applyPolicy(cities, dr.Licence)
	if err != nil {
		return nil, err
	}
	data, d, err := engineData(f, cities, dr.Data)
	if err != nil {
		return nil, err
	}
	infos, err := checkInfos(f, dr.Indicators)
	if err != nil {
		return nil, err
	}
	if in.Previous != nil && in.Previous.d.Edition == dr.Edition {
		return nil, citylens.Errorf(citylens.EINVALID, "release: the previous release is of the same edition %s: publish a correction instead", dr.Edition)
	}
	if in.Corrects != nil && in.Corrects.d.Edition != dr.Edition {
		return nil, citylens.Errorf(citylens.EINVALID, "release: a correction of edition %s cannot correct a release of edition %s", dr.Edition, in.Corrects.d.Edition)
	}
	dc := doc{Edition: dr.Edition, EngineVersion: engine.Version, PublishedAt: in.PublishedAt.UTC(),
		Framework: f.Nodes(), Method: dr.Method, Data: data, Cities: cities, Indicators: infos,
		Licence: licence, Attribution: dr.Attribution, Config: cfg, Index: index, Pillars: pillars}
	if cfg.PeerGroup == PeerByHDI && !strings.Contains(dc.Attribution, hdi.Attribution) {
		// Peer groups from UNDP's table: its credit travels with the release.
		dc.Attribution = strings.TrimSpace(dc.Attribution + " " + hdi.Attribution)
	}
	dc.Framework = append([]engine.Node(nil), dc.Framework...)
	if in.Previous != nil {
		dc.Previous, dc.PreviousEdition = in.Previous.d.Hash, in.Previous.d.Edition
	}
	if in.Corrects != nil {
		// Same content as the release corrected: nothing to correct.
		dc.Corrects = in.Corrects.d.Corrects
		same, err := contentHash(&dc)
		if err != nil {
			return nil, err
		}
		if same == in.Corrects.d.Hash {
			return nil, citylens.Errorf(citylens.ECONFLICT, "release: the correction changes nothing in release %s", ShortHash(in.Corrects.d.Hash))
		}
		dc.Corrects = in.Corrects.d.Hash
	}
	if dc.Hash, err = contentHash(&dc); err != nil {
		return nil, err
	}
	return &prepared{dc: dc, f: f, d: d, cfg: cfg}, nil
}

// indexOf returns the index (the single root aggregate) and its pillars.
func indexOf(f *engine.Framework) (string, []string, error) {
	roots := f.Roots()
	if len(roots) != 1 {
		return "", nil, citylens.Errorf(citylens.EINVALID, "release: the framework has %d roots (%s): a release ranks one index", len(roots), strings.Join(roots, ", "))
	}
	if n, _ := f.Node(roots[0]); n.Kind != engine.Aggregate {
		return "", nil, citylens.Errorf(citylens.EINVALID, "release: the framework has no aggregate to rank")
	}
	return roots[0], f.ScoredChildren(roots[0]), nil // unscored indicators are no pillars
}

func checkCities(in []City) ([]City, error) {
	bad := func(format string, args ...any) error {
		return citylens.Errorf(citylens.EINVALID, "release: city "+format, args...)
	}
	if len(in) < 2 {
		return nil, citylens.Errorf(citylens.EINVALID, "release: %d cities: a release ranks at least 2", len(in))
	}
	out := append([]City(nil), in...)
	seen := map[string]bool{}
	for i, c := range out {
		if strings.TrimSpace(c.Code) == "" {
			return nil, bad("%d has no code", i+1)
		}
		if seen[c.Code] {
			return nil, bad("%q appears twice", c.Code)
		}
		seen[c.Code] = true
		if out[i].Name == "" {
			out[i].Name = c.Code
		}
		if c.Population < 0 {
			return nil, bad("%q: population %d is negative", c.Code, c.Population)
		}
		if !(c.Lat >= -90 && c.Lat <= 90) || !(c.Lon >= -180 && c.Lon <= 180) {
			return nil, bad("%q: coordinates %v, %v are not a latitude and a longitude", c.Code, c.Lat, c.Lon)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Code < out[b].Code })
	return out, nil
}

// engineData checks the data points and lays them out for the engine
// (catalogue.DataSet): one unit per city (by code), the catalogue's group
// columns, one column per indicator and denominator. It returns the points
// sorted by city, then indicator.
func engineData(f *engine.Framework, cities []City, points []DataPoint) ([]DataPoint, *engine.Data, error) {
	units := make([]catalogue.Unit, len(cities))
	for i, c := range cities {
		units[i] = c.unit()
	}
	out := append([]DataPoint(nil), points...)
	slices.SortStableFunc(out, func(a, b DataPoint) int {
		if c := strings.Compare(a.City, b.City); c != 0 {
			return c
		}
		return strings.Compare(a.Indicator, b.Indicator)
	})
	pts := make([]catalogue.Point, len(out))
	for k, p := range out {
		pts[k] = catalogue.Point{City: p.City, Indicator: p.Indicator, Value: p.Value}
	}
	d, err := catalogue.DataSet(f, units, pts)
	if err != nil {
		return nil, nil, citylens.Errorf(citylens.ErrorCode(err), "release: data point %s", citylens.ErrorMessage(err))
	}
	return out, d, nil
}

func checkInfos(f *engine.Framework, in []IndicatorInfo) ([]IndicatorInfo, error) {
	out := cloneInfos(in)
	seen := map[string]bool{}
	for _, x := range out {
		if n, ok := f.Node(x.Code); !ok || n.Kind != engine.Indicator {
			return nil, citylens.Errorf(citylens.EINVALID, "release: indicator information for %q, which is not an indicator of the framework", x.Code)
		}
		if seen[x.Code] {
			return nil, citylens.Errorf(citylens.EINVALID, "release: indicator information for %q appears twice", x.Code)
		}
		seen[x.Code] = true
		if x.Min != nil && x.Max != nil && !(*x.Max >= *x.Min) {
			return nil, citylens.Errorf(citylens.EINVALID, "release: indicator %q: valid range %v to %v is empty", x.Code, *x.Min, *x.Max)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Code < out[b].Code })
	return out, nil
}

// fillResults copies the build and analyses into the document and derives
// stages, ratings and previous ranks.
func fillResults(dc *doc, nom *engine.Result, ua *engine.UAResult, sa *engine.SAResult, audit *engine.AuditReport, prev *Release) {
	dc.Raw, dc.Imputed, dc.Treated = fromEngine(nom.Raw), fromEngine(nom.Imputed), fromEngine(nom.Treated)
	if dc.Method.Denominate {
		dc.Denominated = fromEngine(nom.Denominated)
	}
	dc.Aggregated, dc.Ranks = fromEngine(nom.Aggregated), fromEngine(nom.Ranks)
	dc.Weights = map[string]float64{}
	for k, v := range nom.Weight {
		dc.Weights[k] = v
	}
	dc.Warnings = append([]string(nil), nom.Warnings...)
	dc.Imputations = append([]engine.ImputedValue(nil), nom.Imputations...)
	for _, t := range nom.Treat {
		if t.Logged || (t.Winsorised && t.NWin > 0) {
			n := TreatNote{Indicator: t.Indicator, Logged: t.Logged}
			if !t.Logged {
				n.Winsorised = t.NWin
			}
			dc.Treatment = append(dc.Treatment, n)
		}
	}
	row := map[string]int{}
	for i, u := range nom.Aggregated.Units {
		row[u] = i
	}
	score := nom.Aggregated.Cols[indexOfCode(nom.Aggregated.Codes, dc.Index)]
	rank := nom.Ranks.Cols[indexOfCode(nom.Ranks.Codes, dc.Index)]
	pcols := make([][]float64, len(dc.Pillars))
	for k, p := range dc.Pillars {
		pcols[k] = nom.Aggregated.Cols[indexOfCode(nom.Aggregated.Codes, p)]
	}
	uu := map[string]engine.UnitUncertainty{}
	for _, x := range ua.Units {
		uu[x.Unit] = x
	}
	nodes := 1 + len(dc.Pillars)
	bandAt := map[string]int{}
	for k := 0; k < len(ua.Scores); k += nodes {
		bandAt[ua.Scores[k].Unit] = k
	}
	dc.Results = make([]cityResult, len(dc.Cities))
	dc.ScoreBands = make([]scoreBand, len(dc.Cities)*nodes)
	na := nfloat(math.NaN())
	for i, c := range dc.Cities {
		s := nom.Screen[i]
		cr := cityResult{City: c.Code, DataAvail: s.DatAvail, Score: na, Median: na, Q5: na, Q95: na, MeanAbsShift: na}
		for k := 0; k < nodes; k++ {
			dc.ScoreBands[i*nodes+k] = scoreBand{na, na, na}
		}
		if j, ok := row[c.Code]; ok && !engine.IsNA(rank[j]) {
			cr.Ranked, cr.Rank, cr.Score = true, int(rank[j]), nfloat(score[j])
			cr.Stage = stageOf(dc.Config.Stages, score[j])
			cr.PillarStages = make([]string, len(dc.Pillars))
			for k, p := range dc.Pillars {
				cr.PillarStages[k] = stageOf(dc.Config.pillarStages(p), pcols[k][j])
			}
			x := uu[c.Code]
			cr.Median, cr.Q5, cr.Q95, cr.MeanAbsShift, cr.TieGroup = nfloat(x.MedianRank), nfloat(x.Q5), nfloat(x.Q95), nfloat(x.MeanAbsShift), x.TieGroup
			if at, ok := bandAt[c.Code]; ok {
				for k := 0; k < nodes; k++ {
					q := ua.Scores[at+k]
					dc.ScoreBands[i*nodes+k] = scoreBand{nfloat(q.Q5), nfloat(q.Median), nfloat(q.Q95)}
				}
			}
			if prev != nil {
				if pi, ok := prev.cityIdx[c.Code]; ok && prev.d.Results[pi].Ranked {
					cr.PrevRank = prev.d.Results[pi].Rank
				}
			}
		}
		dc.Results[i] = cr
	}
	// Ratings within peer groups.
	groups := map[string][]int{}
	for i, c := range dc.Cities {
		if c.PeerGroup != "" {
			groups[c.PeerGroup] = append(groups[c.PeerGroup], i)
		}
	}
	for _, g := range sortedKeys(groups) {
		members := groups[g]
		scores := make([]float64, len(members))
		for k, i := range members {
			scores[k] = float64(dc.Results[i].Score)
		}
		for k, rt := range dc.Config.Ratings.rate(scores) {
			dc.Results[members[k]].Rating = rt
		}
	}
	dc.Uncertainty = UncertaintyInfo{N: ua.N, Seed: dc.Config.Uncertainty.Seed, Failed: ua.Failed, Inputs: nil}
	for _, fc := range ua.Failures {
		dc.Uncertainty.Failures = append(dc.Uncertainty.Failures, FailureCount{fc.Reason, fc.Count})
	}
	for _, in := range dc.Config.Uncertainty.Spec.Inputs {
		dc.Uncertainty.Inputs = append(dc.Uncertainty.Inputs, nameOr(in.Name, in.Param))
	}
	if sa != nil {
		dc.Uncertainty.SAN, dc.Uncertainty.SARuns, dc.Uncertainty.SAFailed = sa.N, sa.Runs, sa.Failed
		dc.Sobol = sobolSummary(sa)
	}
	dc.Audit = auditFlags(audit)
}

func indexOfCode(codes []string, c string) int {
	for j, x := range codes {
		if x == c {
			return j
		}
	}
	return -1
}

// sobolSummary keeps the indices of the mean absolute rank shift and, per
// input, the mean over cities of the indices of their index scores.
func sobolSummary(sa *engine.SAResult) []SobolIndex {
	var out []SobolIndex
	type acc struct {
		s1, st float64
		n      int
	}
	mean := make([]acc, len(sa.Inputs))
	pos := map[string]int{}
	for k, in := range sa.Inputs {
		pos[in] = k
	}
	for _, x := range sa.Indices {
		if x.Output == engine.MeanAbsShiftOutput {
			out = append(out, SobolIndex{Output: SobolRankShift, Input: x.Input, S1: ptr(x.S1), ST: ptr(x.ST), S1Lo: ptr(x.S1Lo), S1Hi: ptr(x.S1Hi), STLo: ptr(x.STLo), STHi: ptr(x.STHi)})
			continue
		}
		if !engine.IsNA(x.S1) && !engine.IsNA(x.ST) {
			m := &mean[pos[x.Input]]
			m.s1 += x.S1
			m.st += x.ST
			m.n++
		}
	}
	for k, in := range sa.Inputs {
		m := mean[k]
		s := SobolIndex{Output: SobolCityScore, Input: in}
		if m.n > 0 {
			s.S1, s.ST = ptr(m.s1/float64(m.n)), ptr(m.st/float64(m.n))
		}
		out = append(out, s)
	}
	return out
}

// Audit flag kinds.
const (
	FlagSkewKurtosis = "skew_kurtosis"
	FlagWeak         = "weak"
	FlagNegative     = "negative"
	FlagRedundant    = "redundant"
	FlagLowAlpha     = "low_alpha"
)

// auditFlags keeps what the audit flags: raw indicators failing the
// skew–kurtosis check, weak, negative and redundant correlations within the
// framework, and aggregates whose children are not consistent (alpha < 0.7).
func auditFlags(a *engine.AuditReport) []AuditFlag {
	var out []AuditFlag
	for _, s := range a.Stats {
		if s.Dataset == engine.AuditRaw && s.SkewKurtOutlier {
			out = append(out, AuditFlag{Kind: FlagSkewKurtosis, Codes: []string{s.Code},
				Text: fmt.Sprintf("%s is skewed (skewness %.2f, kurtosis %.2f): outliers may drive its scores", s.Code, s.Skew, s.Kurt)})
		}
	}
	for _, c := range a.Correlations {
		switch c.Flag {
		case engine.FlagWeak, engine.FlagNegative, engine.FlagRedundant:
			what := map[string]string{engine.FlagWeak: "weakly correlated with", engine.FlagNegative: "negatively correlated with", engine.FlagRedundant: "almost redundant with"}[c.Flag]
			out = append(out, AuditFlag{Kind: c.Flag, Codes: []string{c.X, c.Y},
				Text: fmt.Sprintf("%s is %s %s (Pearson r = %.2f over %d cities)", c.X, what, c.Y, c.Pearson, c.N)})
		}
	}
	for _, g := range a.Aggregates {
		if g.Applicable && !engine.IsNA(g.Alpha) && g.Alpha < 0.7 {
			out = append(out, AuditFlag{Kind: FlagLowAlpha, Codes: []string{g.Code},
				Text: fmt.Sprintf("the children of %s are not consistent (Cronbach's alpha %.2f < 0.7)", g.Code, g.Alpha)})
		}
	}
	return out
}

// flagNumbers finds the numbers of a flag's text: those in its last
// parenthesis ("(Pearson r = -0.42 over 112 cities)": -0.42, 112).
var flagNumbers = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)

// Words is the flag's text as a catalogue key and arguments, so that a page
// words it in its reader's language; the numbers come from the stored
// English text (releases keep the text only). A text of another shape is
// its English Text.
func (f AuditFlag) Words() citylens.Phrase {
	plain := citylens.Phrase{English: f.Text}
	open := strings.LastIndex(f.Text, "(")
	if open < 0 {
		return plain
	}
	nums := flagNumbers.FindAllString(f.Text[open:], -1)
	args := make([]any, 0, 4)
	for _, c := range f.Codes {
		args = append(args, c)
	}
	for _, n := range nums {
		args = append(args, n)
	}
	want := map[string]int{FlagSkewKurtosis: 3, FlagWeak: 4, FlagNegative: 4, FlagRedundant: 4, FlagLowAlpha: 3}[f.Kind]
	if want == 0 || len(args) != want {
		return plain
	}
	return citylens.Phrase{Key: "ex.flag." + f.Kind + ".text", Args: args, English: f.Text}
}

// ShortHash is the first 12 characters of a release hash, as pages, file
// names and logs show it.
func ShortHash(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// FlagGroup is the audit flags of one kind.
type FlagGroup struct {
	Kind  string
	Flags []AuditFlag
}

// Count is the number of flags of the kind.
func (g FlagGroup) Count() int { return len(g.Flags) }

// flagImportance orders flag kinds for a reader: inconsistent aggregates
// and negative correlations first (they question the framework), then
// redundancy, skewness and weak correlations.
var flagImportance = map[string]int{FlagLowAlpha: 0, FlagNegative: 1, FlagRedundant: 2, FlagSkewKurtosis: 3, FlagWeak: 4}

// FlagGroups groups flags by kind, the most important kind first (pages
// lead with these counts and collapse the lists).
func FlagGroups(flags []AuditFlag) []FlagGroup {
	at := map[string]int{}
	var out []FlagGroup
	for _, f := range flags {
		k, ok := at[f.Kind]
		if !ok {
			k = len(out)
			at[f.Kind] = k
			out = append(out, FlagGroup{Kind: f.Kind})
		}
		out[k].Flags = append(out[k].Flags, f)
	}
	rank := func(kind string) int {
		if r, ok := flagImportance[kind]; ok {
			return r
		}
		return len(flagImportance)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Kind) < rank(out[j].Kind) })
	return out
}
