package explorerweb

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// Chart and table data as CSV, so every view can be downloaded as it is
// shown (Our World in Data's rule: every chart downloadable). The files are
// built from the same queries as the pages and the API.

// explorerRankingsCSV writes the ranking the rankings page shows for the
// same filters and sort, every page of it: /rankings.csv?region=EU&sort=name.
func (a *Explorer) explorerRankingsCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rq, err := rankingQueryOf(q)
	if err != nil {
		return err
	}
	rows, err := v.rel.Rankings(rq)
	if err != nil {
		return err
	}
	head := []string{"rank", "rank_q5", "rank_median", "rank_q95", "tie_size", "tie_from", "tie_to", "city", "name", "country", "region",
		"peer_group", "population_class", "score", "score_q5", "score_q95"}
	head = append(head, v.Sum.Pillars...)
	head = append(head, "stage", "rating", "previous_rank", "change")
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write(head)
	for _, row := range rows {
		rec := []string{web.Itoa(row.Rank), optNum(row.RankBand.Q5), optNum(row.RankBand.Median), optNum(row.RankBand.Q95),
			web.Itoa(row.TieSize), web.Itoa(row.TieFrom), web.Itoa(row.TieTo), row.City.Code, row.City.Name, row.City.Country, row.City.Region,
			row.City.PeerGroup, row.PopulationClass, fnum(row.Score), optNum(row.ScoreBand.Q5), optNum(row.ScoreBand.Q95)}
		for _, p := range row.Pillars.All() {
			if p.Missing {
				rec = append(rec, "")
			} else {
				rec = append(rec, fnum(p.Score))
			}
		}
		prev, change := "", ""
		if row.PrevRank > 0 {
			prev = web.Itoa(row.PrevRank)
		}
		if row.Change != nil {
			change = web.Itoa(*row.Change)
		}
		rec = append(rec, row.Stage, row.Rating, prev, change)
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-rankings.csv", buf.Bytes())
	return nil
}

func writeCSV(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b)
}

// fnum writes a number as the release files do (15 significant digits).
func fnum(f float64) string { return release.FormatNumber(f) }

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return fnum(*f)
}

// explorerCompareCSV writes the compare page's chart and table: one row per
// city, in the order asked, with the index and every pillar.
func (a *Explorer) explorerCompareCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	rows, err := v.rel.Compare(compareCodes(r.URL.Query()))
	if err != nil {
		return err
	}
	head := []string{"city", "name", "country", "ranked", "rank", "rank_q5", "rank_q95", "score", "score_q5", "score_q95", "stage", "rating"}
	if len(rows) > 0 {
		for _, p := range rows[0].Pillars {
			head = append(head, p.Code, p.Code+"_rank", p.Code+"_stage")
		}
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write(head)
	for _, row := range rows {
		rank := ""
		if row.Ranked {
			rank = web.Itoa(row.Rank)
		}
		rec := []string{row.City.Code, row.City.Name, row.City.Country, strconv.FormatBool(row.Ranked), rank, optNum(row.RankBand.Q5),
			optNum(row.RankBand.Q95), optNum(row.Score), optNum(row.ScoreBand.Q5), optNum(row.ScoreBand.Q95), row.Stage, row.Rating}
		for _, p := range row.Pillars {
			pr := ""
			if p.Rank > 0 {
				pr = web.Itoa(p.Rank)
			}
			rec = append(rec, optNum(p.Score), pr, p.Stage)
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-compare.csv", buf.Bytes())
	return nil
}

// explorerDistributionCSV writes an indicator page's distribution chart:
// its bins, values in [from, to) (the last bin closed), and the count.
func (a *Explorer) explorerDistributionCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	iv, err := v.rel.Indicator(r.PathValue("code"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write([]string{"indicator", "unit", "from", "to", "cities"})
	for _, b := range iv.Distribution.Bins {
		cw.Write([]string{iv.Code, iv.Unit, fnum(b.From), fnum(b.To), web.Itoa(b.Count)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-"+iv.Code+"-distribution.csv", buf.Bytes())
	return nil
}
