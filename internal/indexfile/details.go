package indexfile

import (
	"io"
	"strconv"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/engine"
)

var treatHeader = []string{"iCode",
	"check_SkewKurt0.Pass", "check_SkewKurt0.Skew", "check_SkewKurt0.Kurt", "winsorise.nwin",
	"check_SkewKurt1.Pass", "check_SkewKurt1.Skew", "check_SkewKurt1.Kurt",
	"check_SkewKurt2.Pass", "check_SkewKurt2.Skew", "check_SkewKurt2.Kurt"}

func boolCell(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// WriteTreatDetails writes COINr's Treat_details layout; the after-log
// columns appear only when some indicator was log-transformed, as in COINr.
func WriteTreatDetails(w io.Writer, details []engine.TreatDetail) error {
	logged := false
	for _, d := range details {
		logged = logged || d.Logged
	}
	header := treatHeader
	if !logged {
		header = treatHeader[:8]
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, d := range details {
		rec := []string{d.Indicator, "NA", "NA", "NA", "NA", "NA", "NA", "NA", "NA", "NA", "NA"}
		if d.Method == engine.TreatWinsorise {
			rec[1], rec[2], rec[3] = boolCell(d.Before.Pass), FormatNumber(d.Before.Skew), FormatNumber(d.Before.Kurt)
		}
		if d.Winsorised {
			rec[4] = strconv.Itoa(d.NWin)
			rec[5], rec[6], rec[7] = boolCell(d.After.Pass), FormatNumber(d.After.Skew), FormatNumber(d.After.Kurt)
		}
		if d.Logged {
			rec[8], rec[9], rec[10] = boolCell(d.AfterLog.Pass), FormatNumber(d.AfterLog.Skew), FormatNumber(d.AfterLog.Kurt)
		}
		if err := cw.Write(rec[:len(header)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadTreatDetails reads the Treat_details layout (for comparing with COINr).
func ReadTreatDetails(name string, r io.Reader) ([]engine.TreatDetail, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	if err := t.need(treatHeader[:8]...); err != nil {
		return nil, err
	}
	_, hasLog := t.col["check_SkewKurt2.Pass"]
	var out []engine.TreatDetail
	num := func(i int, c string) (float64, error) {
		v, _, err := t.number(i, c)
		return v, err
	}
	for i := range t.rows {
		d := engine.TreatDetail{Indicator: t.cell(i, "iCode"), Method: engine.TreatWinsorise}
		d.Before.Pass = t.cell(i, "check_SkewKurt0.Pass") == "TRUE"
		var err error
		if d.Before.Skew, err = num(i, "check_SkewKurt0.Skew"); err != nil {
			return nil, err
		}
		if d.Before.Kurt, err = num(i, "check_SkewKurt0.Kurt"); err != nil {
			return nil, err
		}
		if nwin, ok, err := t.number(i, "winsorise.nwin"); err != nil {
			return nil, err
		} else if ok {
			d.Winsorised, d.NWin = true, int(nwin)
			d.After.Pass = t.cell(i, "check_SkewKurt1.Pass") == "TRUE"
			if d.After.Skew, err = num(i, "check_SkewKurt1.Skew"); err != nil {
				return nil, err
			}
			if d.After.Kurt, err = num(i, "check_SkewKurt1.Kurt"); err != nil {
				return nil, err
			}
		}
		if hasLog && t.cell(i, "check_SkewKurt2.Pass") != "NA" {
			d.Logged = true
			d.AfterLog.Pass = t.cell(i, "check_SkewKurt2.Pass") == "TRUE"
			if d.AfterLog.Skew, err = num(i, "check_SkewKurt2.Skew"); err != nil {
				return nil, err
			}
			if d.AfterLog.Kurt, err = num(i, "check_SkewKurt2.Kurt"); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: no rows", name)
	}
	return out, nil
}

// WriteTreatPoints writes COINr's Treat_points layout: per unit and indicator
// "winhi"/"winlo" for clipped points, "+log_CT" appended for every point of a
// log-transformed column (so "winhi+log_CT" for a point clipped before the
// fallback discarded the winsorisation, as COINr writes it).
func WriteTreatPoints(w io.Writer, units []string, details []engine.TreatDetail) error {
	cw := csvsafe.NewWriter(w)
	rec := make([]string, 1+len(details))
	rec[0] = "uCode"
	for j, d := range details {
		rec[1+j] = d.Indicator
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	cells := make([][]string, len(units))
	for i := range cells {
		cells[i] = make([]string, len(details))
	}
	for j, d := range details {
		for _, i := range d.WinHi {
			cells[i][j] = "winhi"
		}
		for _, i := range d.WinLo {
			cells[i][j] = "winlo"
		}
		if d.Logged { // COINr appends the log mark to the winsorised points' marks
			for i := range units {
				cells[i][j] += "+log_CT"
			}
		}
	}
	for i, u := range units {
		rec[0] = u
		copy(rec[1:], cells[i])
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteScreenSummary writes COINr's Screen_summary layout.
func WriteScreenSummary(w io.Writer, rows []engine.ScreenRow) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"uCode", "N_missing", "N_zero", "N_miss_or_zero", "Dat_Avail", "Non_Zero", "LowData", "LowNonZero", "LowDatOrZeroFlag", "Included"}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Unit, strconv.Itoa(r.NMissing), strconv.Itoa(r.NZero), strconv.Itoa(r.NMissing + r.NZero),
			FormatNumber(r.DatAvail), FormatNumber(r.NonZero), boolCell(r.LowData), boolCell(r.LowNonZer),
			boolCell(r.LowData || r.LowNonZer), boolCell(r.Included)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
