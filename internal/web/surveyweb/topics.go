package surveyweb

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web"
)

// indicatorLister lists the catalogue (the store is one), for the
// editor's list of indicators to pick from.
type indicatorLister interface {
	Indicators(ctx context.Context) ([]catalogue.Indicator, error)
}

// topicRow is one row of the mapping editor.
type topicRow struct {
	N           int
	Item        string
	Indicator   string
	LowerBetter bool
}

// topicsPage is the mapping editor: the pairs, a few empty rows to add
// one, the instrument's rating and attitude items and the catalogue's
// indicators to choose from.
type topicsPage struct {
	Survey     survey.Survey
	Rows       []topicRow
	Items      []survey.Item
	Indicators []catalogue.Indicator
	Lang       string
}

// topicsBlankRows are the empty rows the editor offers for new pairs.
const topicsBlankRows = 3

func (a *Area) topicsPage(r *http.Request, edition string, topics []survey.Topic) (*topicsPage, error) {
	ctx := r.Context()
	sv, err := a.cfg.Survey.Store.Survey(ctx, edition)
	if err != nil {
		return nil, err
	}
	in, err := a.cfg.Survey.Instrument(ctx, sv.Edition)
	if err != nil {
		return nil, err
	}
	p := &topicsPage{Survey: sv, Lang: string(web.ReaderLang(r))}
	for _, it := range in.Items {
		if it.Kind == survey.KindRating || it.Kind == survey.KindAttitude {
			p.Items = append(p.Items, it)
		}
	}
	if l, ok := a.cfg.Editions.(indicatorLister); ok {
		inds, err := l.Indicators(ctx)
		if err != nil {
			return nil, err
		}
		for _, ind := range inds {
			if !strings.HasPrefix(ind.Code, "PC-") {
				p.Indicators = append(p.Indicators, ind.In(p.Lang))
			}
		}
	}
	for k, t := range topics {
		p.Rows = append(p.Rows, topicRow{N: k, Item: t.Item, Indicator: t.Indicator, LowerBetter: t.LowerBetter})
	}
	for k := range topicsBlankRows {
		p.Rows = append(p.Rows, topicRow{N: len(topics) + k})
	}
	return p, nil
}

// adminTopics shows the edition's perception-versus-data mapping for
// editing.
func (a *Area) adminTopics(w http.ResponseWriter, r *http.Request) error {
	topics, err := a.cfg.Survey.Topics(r.Context(), r.PathValue("edition"))
	if err != nil {
		return err
	}
	p, err := a.topicsPage(r, r.PathValue("edition"), topics)
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "survey_topics.html", p)
}

// adminTopicsSave replaces the mapping with the form's rows (item_N,
// indicator_N, lower_N for N below rows); a row with neither an item nor
// an indicator is left out (that is how a pair is removed). Problems name
// the row and the unknown item or indicator, and nothing is saved.
func (a *Area) adminTopicsSave(w http.ResponseWriter, r *http.Request) error {
	edition := r.PathValue("edition")
	n, err := strconv.Atoi(r.PostFormValue("rows"))
	if err != nil || n < 0 || n > survey.MaxTopics+topicsBlankRows {
		return citylens.E(citylens.EINVALID, "survey.error.topics_many", survey.MaxTopics)
	}
	var topics []survey.Topic
	var formRow []int // formRow[i] is the form's row (from 1) of topics[i]
	for k := range n {
		key := strconv.Itoa(k)
		item, ind := strings.TrimSpace(r.PostFormValue("item_"+key)), strings.TrimSpace(r.PostFormValue("indicator_"+key))
		if len(item) > 100 || len(ind) > 100 {
			return citylens.E(citylens.EINVALID, "survey.error.topic_long", k+1)
		}
		if item == "" && ind == "" {
			continue
		}
		topics = append(topics, survey.Topic{Item: item, Indicator: ind, LowerBetter: r.PostFormValue("lower_"+key) != ""})
		formRow = append(formRow, k+1)
	}
	if _, err := a.cfg.Survey.SaveTopics(r.Context(), web.ActorOf(r), edition, topics); err != nil {
		// Problems name the rows as the form numbers them (empty rows
		// are left out of the mapping checked).
		if e := citylens.AsError(err); e != nil {
			row := func(i int) int {
				if i >= 1 && i <= len(formRow) {
					return formRow[i-1]
				}
				return i
			}
			for k, p := range e.Problems {
				e.Problems[k].Row = row(p.Row)
				if p.Key == "survey.problem.topic_duplicate" && len(p.Args) == 3 {
					if first, ok := p.Args[2].(int); ok {
						e.Problems[k].Args = []any{p.Args[0], p.Args[1], row(first)}
					}
				}
			}
		}
		return err
	}
	a.s.RedirectFlash(w, r, "/admin/survey/"+url.PathEscape(edition)+"/topics", "survey.flash.topics", len(topics))
	return nil
}
