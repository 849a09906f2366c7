package training

import (
	"io"

	"github.com/citylens/citylens/internal/profilepdf"
)

// CertificateText is a certificate's printed words, in the reader's
// language.
type CertificateText struct {
	Lang      string // "en", "ko"
	Heading   string // "Certificate of completion"
	Awarded   string // "awarded to"
	ForCourse string // "for completing"
	Date      string // the issue date as the reader writes it
	Number    string // "Certificate number: …"
	Hash      string // "Verification hash: …"
	Verify    string // "Check it at …/training/verify"
}

// WriteCertificate prints certificate c (landscape A4) to w, with the
// document set-up and Korean-capable font of package profilepdf.
func WriteCertificate(w io.Writer, c *Certificate, t CertificateText) error {
	pdf, err := profilepdf.NewA4(true, t.Lang, t.Heading, c.Course, c.Issued)
	if err != nil {
		return err
	}
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	lm, _, rm, _ := pdf.GetMargins()
	cw := width - lm - rm
	center := func(size float64, h float64, s string) {
		pdf.SetFont(profilepdf.Font, "", size)
		pdf.MultiCell(cw, h, s, "", "C", false)
	}
	pdf.SetDrawColor(40, 70, 120)
	pdf.SetLineWidth(1.2)
	pdf.Rect(lm-5, lm-5, cw+10, 190, "D")
	pdf.Ln(22)
	pdf.SetTextColor(40, 70, 120)
	center(30, 14, t.Heading)
	pdf.Ln(8)
	pdf.SetTextColor(60, 60, 60)
	center(13, 8, t.Awarded)
	pdf.SetTextColor(20, 20, 20)
	center(26, 14, c.Holder)
	pdf.SetTextColor(60, 60, 60)
	center(13, 8, t.ForCourse)
	pdf.SetTextColor(20, 20, 20)
	center(18, 10, c.Course)
	pdf.Ln(4)
	center(12, 7, t.Date)
	pdf.Ln(16)
	pdf.SetTextColor(90, 90, 90)
	center(9.5, 5, t.Number)
	center(9.5, 5, t.Hash)
	center(9.5, 5, t.Verify)
	return pdf.Output(w)
}
