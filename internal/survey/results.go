package survey

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/citylens/citylens"
)

// ItemResult is one scaled item's figures in a city: the weighted share of
// favourable answers (4 or 5; 1 or 2 for a reverse-keyed item) and the
// 0–100 score ((answer − 1) / 4 × 100, reversed for a reverse-keyed item).
type ItemResult struct {
	Item  string `json:"item"`
	Agree Mean   `json:"agree"`
	Score Mean   `json:"score"`
}

// GroupResult is the score of a group of rating items: an area, a pillar,
// or an area within a pillar. Each respondent's group score is the mean of
// their scores on the group's items they answered; the figure is the
// weighted mean of those, so its standard error carries the items'
// correlation.
type GroupResult struct {
	Kind   string `json:"kind"` // "area", "pillar", "cell" (area × pillar), "overall"
	Area   string `json:"area,omitempty"`
	Pillar string `json:"pillar,omitempty"`
	Score  Mean   `json:"score"`
}

// PriorityResult is the weighted share of respondents (of those who
// answered the priorities question) who picked a choice.
type PriorityResult struct {
	Choice string `json:"choice"`
	Share  Mean   `json:"share"`
}

// CityResult is a city's figures for one wave.
type CityResult struct {
	City       string           `json:"city"`
	Wave       string           `json:"wave"`
	Responses  int              `json:"responses"` // all received
	Excluded   int              `json:"excluded"`
	Design     Design           `json:"design"` // of the valid responses' weights
	Iterations int              `json:"iterations"`
	Trimmed    float64          `json:"trimmed,omitempty"` // the trimming cap used (0: none)
	Items      []ItemResult     `json:"items"`
	Groups     []GroupResult    `json:"groups"`
	Priorities []PriorityResult `json:"priorities"`
}

// Group is the result of a group (false if absent).
func (c *CityResult) Group(kind, area, pillar string) (GroupResult, bool) {
	for _, g := range c.Groups {
		if g.Kind == kind && g.Area == area && g.Pillar == pillar {
			return g, true
		}
	}
	return GroupResult{}, false
}

// ItemOf is the result of an item (false if absent).
func (c *CityResult) ItemOf(code string) (ItemResult, bool) {
	for _, it := range c.Items {
		if it.Item == code {
			return it, true
		}
	}
	return ItemResult{}, false
}

// EstimateOptions are a survey's weighting settings.
type EstimateOptions struct {
	Rake RakeOptions
	// TrimAt caps weights at this multiple of the mean (0: no trimming).
	TrimAt float64
}

// Estimate weights one city's responses of a wave (the valid ones) to its
// population and computes every figure. rs are all the city's responses of
// the wave (excluded ones are counted, not used).
func (in *Instrument) Estimate(ctx context.Context, city, wave string, rs []Response, pop Population, opt EstimateOptions) (*CityResult, error) {
	p := in.plan()
	return in.estimate(ctx, city, wave, rs, pop, opt, p, p.dense(rs, nil), &scratch{})
}

// estimate is Estimate over rs's answers as p's dense matrix mat, with
// the working buffers of sc.
func (in *Instrument) estimate(ctx context.Context, city, wave string, rs []Response, pop Population, opt EstimateOptions,
	p *plan, mat []float64, sc *scratch) (*CityResult, error) {
	out := &CityResult{City: city, Wave: wave, Responses: len(rs)}
	var valid []*Response
	var rows []int // valid[i] is rs[rows[i]]
	for i := range rs {
		if rs[i].Valid() {
			valid = append(valid, &rs[i])
			rows = append(rows, i)
		} else {
			out.Excluded++
		}
	}
	if len(valid) == 0 {
		return nil, citylens.E(citylens.EINVALID, "survey.error.no_respondents", city)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vars := in.WeightVariables()
	cats := make([][]string, len(vars))
	for v, name := range vars {
		cats[v] = make([]string, len(valid))
		for i, r := range valid {
			c := r.Answers[name]
			if c == PreferNotSay {
				c = ""
			}
			cats[v][i] = c
		}
	}
	raked, err := Rake(RakeInput{City: city, Variables: vars, Categories: cats, Margins: pop}, opt.Rake)
	if err != nil {
		return nil, err
	}
	w := raked.Weights
	// Standard errors account for the raking (Calibration.Mean), unless
	// trimming moved weights: trimmed weights no longer meet the margins,
	// so the figures take the fixed-weight standard error (WeightedMean).
	cal := raked.Calibration
	if opt.TrimAt > 1 {
		w = Trim(w, opt.TrimAt)
		out.Trimmed = opt.TrimAt
		if !slices.Equal(w, raked.Weights) {
			cal = nil
		}
	}
	mean := func(y []float64) Mean {
		if cal != nil {
			return cal.Mean(y)
		}
		return WeightedMean(y, w)
	}
	out.Iterations = raked.Iterations
	out.Design = Kish(w)

	n := len(valid)
	sc.agree, sc.score = grow(sc.agree, n), grow(sc.score, n)
	agree, score := sc.agree, sc.score
	type acc struct {
		kind, area, pillar string
		sum                []float64
		cnt                []int
	}
	// Every group's sums and counts in one reused block each.
	ng := 3*len(in.Areas) + 3
	sc.sum, sc.cnt = grow(sc.sum, ng*n), grow(sc.cnt, ng*n)
	clear(sc.sum)
	clear(sc.cnt)
	groups := map[string]*acc{}
	var order []string
	group := func(kind, area, pillar string) *acc {
		k := kind + "/" + area + "/" + pillar
		g := groups[k]
		if g == nil {
			if len(order) < ng {
				j := len(order)
				g = &acc{kind: kind, area: area, pillar: pillar, sum: sc.sum[j*n : (j+1)*n], cnt: sc.cnt[j*n : (j+1)*n]}
			} else { // an item's area the instrument does not list
				g = &acc{kind: kind, area: area, pillar: pillar, sum: make([]float64, n), cnt: make([]int, n)}
			}
			groups[k] = g
			order = append(order, k)
		}
		return g
	}
	for _, a := range in.Areas {
		group("area", a.Code, "")
	}
	group("pillar", "", PillarStructures)
	group("pillar", "", PillarTechnology)
	for _, a := range in.Areas {
		group("cell", a.Code, PillarStructures)
		group("cell", a.Code, PillarTechnology)
	}
	group("overall", "", "")
	// The answers of the scored items, read from the dense matrix (NaN: no
	// answer).
	width := len(p.codes)
	for s, idx := range p.scored {
		it, c := in.Items[idx], p.scoredCol[s]
		var gs []*acc
		if it.Kind == KindRating {
			gs = []*acc{group("area", it.Area, ""), group("pillar", "", it.Pillar), group("cell", it.Area, it.Pillar), group("overall", "", "")}
		}
		for i, row := range rows {
			v := mat[row*width+c]
			if math.IsNaN(v) {
				agree[i], score[i] = math.NaN(), math.NaN()
				continue
			}
			if it.Reverse {
				v = 6 - v
			}
			agree[i] = 0
			if v >= 4 {
				agree[i] = 1
			}
			score[i] = (v - 1) / 4 * 100
			for _, g := range gs {
				g.sum[i] += score[i]
				g.cnt[i]++
			}
		}
		out.Items = append(out.Items, ItemResult{Item: it.Code, Agree: mean(agree), Score: mean(score)})
	}
	sc.y = grow(sc.y, n)
	y := sc.y
	for _, k := range order {
		g := groups[k]
		for i := range y {
			y[i] = math.NaN()
			if g.cnt[i] > 0 {
				y[i] = g.sum[i] / float64(g.cnt[i])
			}
		}
		out.Groups = append(out.Groups, GroupResult{Kind: g.kind, Area: g.area, Pillar: g.pillar, Score: mean(y)})
	}
	for _, it := range in.Items {
		if it.Kind != KindPriorities {
			continue
		}
		l, _ := in.ListOf(it.List)
		answered := make([]bool, n)
		for i, r := range valid {
			answered[i] = len(r.Priorities) > 0
		}
		for _, c := range l.Choices {
			for i, r := range valid {
				y[i] = math.NaN()
				if answered[i] {
					y[i] = 0
					for _, p := range r.Priorities {
						if p == c.Code {
							y[i] = 1
						}
					}
				}
			}
			out.Priorities = append(out.Priorities, PriorityResult{Choice: c.Code, Share: mean(y)})
		}
	}
	return out, nil
}

// CityInput is one city's responses of a wave and its population.
type CityInput struct {
	City       string
	Responses  []Response
	Population Population
}

// EstimateCities flags and estimates many cities at once, on every core
// (each city is independent); errs[i] is city i's error.
func (in *Instrument) EstimateCities(ctx context.Context, wave string, cities []CityInput, opt EstimateOptions) ([]*CityResult, []error) {
	out := make([]*CityResult, len(cities))
	errs := make([]error, len(cities))
	next := make(chan int)
	p := in.plan()
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(cities))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{} // this worker's buffers, reused city after city
			for i := range next {
				func() {
					defer func() {
						if p := recover(); p != nil {
							errs[i] = citylens.Recovered("survey estimate of "+cities[i].City, p)
						}
					}()
					rs := cities[i].Responses
					sc.mat = p.dense(rs, sc.mat)
					in.flag(rs, p, sc.mat)
					out[i], errs[i] = in.estimate(ctx, cities[i].City, wave, rs, cities[i].Population, opt, p, sc.mat, sc)
				}()
			}
		}()
	}
	for i := range cities {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		for i := range errs {
			if out[i] == nil && errs[i] == nil {
				errs[i] = citylens.Errorf(citylens.ECANCELED, "survey estimates cancelled: %v", err)
			}
		}
	}
	return out, errs
}
