// Package profilepdf prints a city's profile as an A4 PDF: the headline
// facts (rank with its 5–95 % band, score, stage), the pillar scores as a
// bar chart with their bands, the peers, and the sources of the values.
// The caller passes every text already in the reader's language; one
// embedded font (NanumGothic, OFL) prints English and Korean alike, and only
// the glyphs used are embedded in the file.
package profilepdf

import (
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/citylens/citylens"
)

//go:embed fonts/NanumGothic.ttf
var nanumGothic []byte

// Bar is one score of the pillar chart (nil: no value, drawn as "no data").
type Bar struct {
	Name         string
	Score        *float64
	Low, High    *float64 // the score's 5–95 % band
	Median, Best *float64 // peer-group median, network best
	IsIndex      bool
}

// Doc is a printed profile, every text in the reader's language.
type Doc struct {
	Lang     string // "en", "ko"
	Title    string // the city's name
	Subtitle string // country · release
	Demo     string // the demo label, "" for real data
	Facts    [][2]string
	// The pillar chart.
	ChartHeading, AxisLabel, NoData, LegendCity, LegendBand, LegendMedian, LegendBest string
	Bars                                                                              []Bar
	// Tables: peers, then the values' sources.
	PeersHeading   string
	PeerColumns    []string
	Peers          [][]string
	SourcesHeading string
	Sources        []string
	Notes          []string // method notes, the attribution
	Footer         string   // the permanent link and release
	PageLabel      string   // "Page %d of %s"
	Created        time.Time
}

// maxRows bounds a table's rows and the sources listed (a hostile or huge
// release must not print a book).
const maxRows = 200

const (
	pageW, margin = 210.0, 15.0
	contentW      = pageW - 2*margin
)

// Font is the family name of the embedded font that prints English and
// Korean alike (NewA4 registers it).
const Font = "nanum"

// NewA4 is CityLens's A4 document set-up, shared by its printed
// documents (city profiles, training certificates): portrait (or
// landscape), millimetres, 15 mm margins, the embedded Korean-capable font
// (Font), title, subject, language and creator; created (if not zero) is
// the file's date, so the same document prints the same file.
func NewA4(landscape bool, lang, title, subject string, created time.Time) (*fpdf.Fpdf, error) {
	orientation := "P"
	if landscape {
		orientation = "L"
	}
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddUTF8FontFromBytes(Font, "", nanumGothic)
	if err := pdf.Error(); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "PDF: font: %v", err)
	}
	pdf.SetTitle(title, true)
	pdf.SetSubject(subject, true)
	pdf.SetCreator("CityLens", true)
	pdf.SetProducer("CityLens", true)
	pdf.SetLang(lang)
	if !created.IsZero() {
		pdf.SetCreationDate(created)
		pdf.SetModificationDate(created)
	}
	return pdf, nil
}

// Write prints the profile to w.
func Write(w io.Writer, d Doc) error {
	pdf, err := NewA4(false, d.Lang, d.Title, d.Subtitle, d.Created)
	if err != nil {
		return err
	}
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-13)
		pdf.SetFont("nanum", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(contentW*0.8, 4, d.Footer, "", 0, "L", false, 0, "")
		pdf.CellFormat(contentW*0.2, 4, fmt.Sprintf(d.PageLabel, pdf.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetTextColor(20, 20, 20)
	pdf.SetFont("nanum", "", 22)
	pdf.MultiCell(contentW, 10, d.Title, "", "L", false)
	pdf.SetFont("nanum", "", 11)
	pdf.SetTextColor(70, 70, 70)
	pdf.MultiCell(contentW, 6, d.Subtitle, "", "L", false)
	if d.Demo != "" {
		pdf.Ln(1)
		pdf.SetFillColor(255, 243, 205)
		pdf.SetTextColor(80, 60, 0)
		pdf.SetFont("nanum", "", 9)
		pdf.MultiCell(contentW, 5, d.Demo, "", "L", true)
	}
	pdf.Ln(3)

	// Headline facts, two columns of label and value.
	pdf.SetTextColor(20, 20, 20)
	for i, f := range d.Facts {
		if i%2 == 0 && i > 0 {
			pdf.Ln(7)
		}
		pdf.SetFont("nanum", "", 8.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(28, 7, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont("nanum", "", 12)
		pdf.SetTextColor(20, 20, 20)
		pdf.CellFormat(contentW/2-28, 7, f[1], "", 0, "L", false, 0, "")
	}
	pdf.Ln(11)

	if len(d.Bars) > 0 {
		heading(pdf, d.ChartHeading)
		chart(pdf, d)
	}
	if len(d.Peers) > 0 {
		heading(pdf, d.PeersHeading)
		table(pdf, d.PeerColumns, d.Peers)
	}
	if len(d.Sources) > 0 {
		heading(pdf, d.SourcesHeading)
		pdf.SetFont("nanum", "", 8.5)
		pdf.SetTextColor(40, 40, 40)
		for i, s := range d.Sources {
			if i == maxRows {
				break
			}
			pdf.MultiCell(contentW, 4.5, "• "+s, "", "L", false)
		}
		pdf.Ln(3)
	}
	if len(d.Notes) > 0 {
		pdf.SetFont("nanum", "", 8)
		pdf.SetTextColor(80, 80, 80)
		for _, n := range d.Notes {
			pdf.MultiCell(contentW, 4.2, n, "", "L", false)
			pdf.Ln(1)
		}
	}
	if err := pdf.Output(w); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "profile PDF: %v", err)
	}
	return nil
}

func heading(pdf *fpdf.Fpdf, s string) {
	if pdf.GetY() > 250 {
		pdf.AddPage()
	}
	pdf.SetFont("nanum", "", 13)
	pdf.SetTextColor(20, 20, 20)
	pdf.CellFormat(contentW, 8, s, "", 1, "L", false, 0, "")
	pdf.SetDrawColor(200, 200, 200)
	pdf.Line(margin, pdf.GetY(), pageW-margin, pdf.GetY())
	pdf.Ln(2)
}

// chart draws the pillar bars on a 0–100 axis (or the largest value's),
// each with its band, the peer median and the network's best.
func chart(pdf *fpdf.Fpdf, d Doc) {
	const labelW, valueW, rowH = 48.0, 14.0, 8.0
	x0 := margin + labelW
	plotW := contentW - labelW - valueW
	maxV := 100.0
	for _, b := range d.Bars {
		for _, v := range []*float64{b.Score, b.High, b.Best, b.Median} {
			if v != nil && *v > maxV {
				maxV = math.Ceil(*v/10) * 10
			}
		}
	}
	x := func(v float64) float64 { return x0 + math.Max(0, math.Min(v, maxV))/maxV*plotW }
	if pdf.GetY()+float64(len(d.Bars))*rowH+24 > 280 {
		pdf.AddPage()
	}
	// Legend.
	y := pdf.GetY() + 1
	pdf.SetFont("nanum", "", 8)
	pdf.SetTextColor(40, 40, 40)
	lx := x0
	pdf.SetFillColor(31, 111, 178)
	pdf.Rect(lx, y, 4, 3, "F")
	pdf.Text(lx+5, y+2.8, d.LegendCity)
	lx += 8 + pdf.GetStringWidth(d.LegendCity)
	pdf.SetDrawColor(20, 20, 20)
	pdf.SetLineWidth(0.5)
	pdf.Line(lx, y+1.5, lx+6, y+1.5)
	pdf.Text(lx+7, y+2.8, d.LegendBand)
	lx += 10 + pdf.GetStringWidth(d.LegendBand)
	pdf.SetFillColor(20, 20, 20)
	pdf.Rect(lx, y-0.5, 0.8, 4, "F")
	pdf.Text(lx+2, y+2.8, d.LegendMedian)
	lx += 5 + pdf.GetStringWidth(d.LegendMedian)
	pdf.SetFillColor(217, 72, 15)
	pdf.Rect(lx, y-0.5, 0.8, 4, "F")
	pdf.Text(lx+2, y+2.8, d.LegendBest)
	top := y + 7
	// Grid and axis.
	pdf.SetLineWidth(0.1)
	pdf.SetDrawColor(220, 220, 220)
	bottom := top + float64(len(d.Bars))*rowH
	pdf.SetFont("nanum", "", 7.5)
	for v := 0.0; v <= maxV+1e-9; v += maxV / 5 {
		pdf.Line(x(v), top-1, x(v), bottom)
		s := strconv.FormatFloat(v, 'f', 0, 64)
		pdf.Text(x(v)-pdf.GetStringWidth(s)/2, bottom+4, s)
	}
	pdf.SetDrawColor(60, 60, 60)
	pdf.Line(x0, bottom, x0+plotW, bottom)
	pdf.Text(x0+plotW/2-pdf.GetStringWidth(d.AxisLabel)/2, bottom+8.5, d.AxisLabel)
	for i, b := range d.Bars {
		ry := top + float64(i)*rowH
		pdf.SetFont("nanum", "", 9)
		pdf.SetTextColor(20, 20, 20)
		pdf.SetXY(margin, ry)
		pdf.CellFormat(labelW-2, rowH-2, fit(pdf, b.Name, labelW-3), "", 0, "R", false, 0, "")
		if b.Score == nil {
			pdf.SetTextColor(90, 90, 90)
			pdf.Text(x0+1.5, ry+4.5, d.NoData)
			continue
		}
		if b.IsIndex {
			pdf.SetFillColor(17, 76, 128)
		} else {
			pdf.SetFillColor(31, 111, 178)
		}
		pdf.Rect(x0, ry+0.5, x(*b.Score)-x0, rowH-3, "F")
		if b.Low != nil && b.High != nil {
			pdf.SetDrawColor(20, 20, 20)
			pdf.SetLineWidth(0.5)
			mid := ry + 0.5 + (rowH-3)/2
			pdf.Line(x(*b.Low), mid, x(*b.High), mid)
		}
		if b.Median != nil {
			pdf.SetFillColor(20, 20, 20)
			pdf.Rect(x(*b.Median)-0.4, ry-0.3, 0.8, rowH-1.4, "F")
		}
		if b.Best != nil {
			pdf.SetFillColor(217, 72, 15)
			pdf.Rect(x(*b.Best)-0.4, ry-0.3, 0.8, rowH-1.4, "F")
		}
		s := strconv.FormatFloat(*b.Score, 'f', 1, 64)
		pdf.SetTextColor(20, 20, 20)
		pdf.Text(margin+contentW-pdf.GetStringWidth(s), ry+4.5, s)
	}
	pdf.SetLineWidth(0.2)
	pdf.SetY(bottom + 13)
}

// fit shortens s with an ellipsis to width w.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// table prints a simple table with a header row; the first column takes
// what the others leave.
func table(pdf *fpdf.Fpdf, cols []string, rows [][]string) {
	if len(cols) == 0 {
		return
	}
	other := 24.0
	first := contentW - other*float64(len(cols)-1)
	width := func(i int) float64 {
		if i == 0 {
			return first
		}
		return other
	}
	header := func() {
		pdf.SetFont("nanum", "", 8.5)
		pdf.SetFillColor(238, 241, 244)
		pdf.SetTextColor(40, 40, 40)
		for i, c := range cols {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(width(i), 6, fit(pdf, c, width(i)-1), "B", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
	}
	header()
	pdf.SetFont("nanum", "", 9)
	for n, r := range rows {
		if n == maxRows {
			break
		}
		if pdf.GetY() > 272 {
			pdf.AddPage()
			header()
			pdf.SetFont("nanum", "", 9)
		}
		pdf.SetTextColor(20, 20, 20)
		for i := range cols {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(width(i), 5.5, fit(pdf, c, width(i)-1), "", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(4)
}
