package judging

import (
	"math"
)

// Judged is one judge's submitted sheet for one application.
type Judged struct {
	App   int64
	Judge int64
	Sheet Sheet
}

// AppResult is one application's figures in a round, side by side.
type AppResult struct {
	App      int64   `json:"app"`
	Judges   int     `json:"judges"`
	Raw      float64 `json:"raw"`      // mean of the judges' weighted scores
	ZMean    float64 `json:"z_mean"`   // mean of the per-judge normalised scores
	Adjusted float64 `json:"adjusted"` // quality in the judge-effect model
	Median   float64 `json:"median"`   // median of the weighted scores
	Value    float64 `json:"value"`    // mean of the value-generation criterion (NaN when unscored)
	Part     int     `json:"part"`     // connected part of the judge–application graph
}

// Reliability is the agreement of a round on one criterion ("" is the
// weighted total). One-way ICCs fit the usual incomplete design; the
// two-way forms are given only when every judge scored every application.
type Reliability struct {
	Criterion string  `json:"criterion"`
	Alpha     float64 `json:"alpha"`
	AlphaOK   bool    `json:"alpha_ok"`
	ICC1      float64 `json:"icc1"`
	ICC1k     float64 `json:"icc1k"`
	OneWayOK  bool    `json:"one_way_ok"`
	Crossed   *ICC    `json:"crossed,omitempty"`
	Low       bool    `json:"low"` // alpha or ICC(1,k) below ReliabilityThreshold
}

// Report is a round's results.
type Report struct {
	Apps        []AppResult       `json:"apps"`
	Severity    map[int64]float64 `json:"severity"`
	Parts       int               `json:"parts"`
	Reliability []Reliability     `json:"reliability"`
	Ties        []Tie             `json:"ties"`
}

// Analyse computes a round's report from its submitted sheets; votes are
// the committee's votes per application (for the tie-break), seed the
// edition's tie-break seed. Applications come out ranked.
func Analyse(r Rubric, sheets []Judged, votes map[int64]int, seed string) Report {
	var scores []Score
	perApp := map[int64][]float64{}
	valueSum, valueN := map[int64]float64{}, map[int64]float64{}
	for _, s := range sheets {
		w, ok := r.Weighted(s.Sheet)
		if !ok {
			continue
		}
		scores = append(scores, Score{App: s.App, Judge: s.Judge, Value: w})
		perApp[s.App] = append(perApp[s.App], w)
		if v, ok := s.Sheet.Scores[CritValue]; ok {
			valueSum[s.App] += float64(v)
			valueN[s.App]++
		}
	}
	norm := ZScores(scores, float64(r.Min), float64(r.Max))
	zSum, zN := map[int64]float64{}, map[int64]float64{}
	for _, n := range norm {
		zSum[n.App] += n.Rescaled
		zN[n.App]++
	}
	ef := JudgeEffects(scores)
	rep := Report{Severity: ef.Severity, Parts: ef.Parts}
	var cands []Candidate
	results := map[int64]AppResult{}
	for app, vs := range perApp {
		var sum float64
		for _, v := range vs {
			sum += v
		}
		ar := AppResult{App: app, Judges: len(vs), Raw: sum / float64(len(vs)),
			ZMean: zSum[app] / zN[app], Adjusted: ef.Quality[app], Median: Median(vs),
			Value: math.NaN(), Part: ef.AppPart[app]}
		if valueN[app] > 0 {
			ar.Value = valueSum[app] / valueN[app]
		}
		results[app] = ar
		cands = append(cands, Candidate{App: app, Adjusted: ar.Adjusted, Median: ar.Median, Value: ar.Value, Votes: votes[app]})
	}
	ranked, ties := Rank(cands, seed)
	for _, c := range ranked {
		rep.Apps = append(rep.Apps, results[c.App])
	}
	rep.Ties = ties
	crits := []string{""}
	for _, c := range r.Criteria {
		crits = append(crits, c.Code)
	}
	for _, code := range crits {
		rep.Reliability = append(rep.Reliability, reliabilityOf(r, sheets, code))
	}
	return rep
}

// reliabilityOf builds the application × judge matrix of one criterion
// (or the weighted total) and measures agreement on it.
func reliabilityOf(r Rubric, sheets []Judged, code string) Reliability {
	appIdx, judgeIdx := map[int64]int{}, map[int64]int{}
	var apps, judges []int64
	type cell struct {
		a, j int
		v    float64
	}
	var cells []cell
	for _, s := range sheets {
		var v float64
		if code == "" {
			w, ok := r.Weighted(s.Sheet)
			if !ok {
				continue
			}
			v = w
		} else {
			x, ok := s.Sheet.Scores[code]
			if !ok {
				continue
			}
			v = float64(x)
		}
		if _, ok := appIdx[s.App]; !ok {
			appIdx[s.App] = len(apps)
			apps = append(apps, s.App)
		}
		if _, ok := judgeIdx[s.Judge]; !ok {
			judgeIdx[s.Judge] = len(judges)
			judges = append(judges, s.Judge)
		}
		cells = append(cells, cell{appIdx[s.App], judgeIdx[s.Judge], v})
	}
	m := make([][]float64, len(apps))
	for i := range m {
		m[i] = make([]float64, len(judges))
		for j := range m[i] {
			m[i][j] = Missing
		}
	}
	for _, c := range cells {
		m[c.a][c.j] = c.v
	}
	rel := Reliability{Criterion: code}
	rel.Alpha, rel.AlphaOK = KrippendorffInterval(m)
	rel.ICC1, rel.ICC1k, rel.OneWayOK = OneWayICC(m)
	if len(cells) == len(apps)*len(judges) {
		if c, ok := Intraclass(m); ok {
			rel.Crossed = &c
		}
	}
	rel.Low = (rel.AlphaOK && rel.Alpha < ReliabilityThreshold) || (rel.OneWayOK && rel.ICC1k < ReliabilityThreshold)
	return rel
}
