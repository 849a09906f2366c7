package profilepdf

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func ptr(f float64) *float64 { return &f }

var rePage = regexp.MustCompile(`/Type /Page\b[^s]`)

func doc() Doc {
	return Doc{Lang: "ko", Title: "서울", Subtitle: "KOR · 스마트 시티 지수 2026", Demo: "데모 데이터",
		Facts:        [][2]string{{"순위", "3 / 112"}, {"순위 구간", "2–6"}},
		ChartHeading: "부문별 점수", AxisLabel: "점수", NoData: "자료 없음", LegendCity: "서울", LegendBand: "5–95 % 범위", LegendMedian: "중앙값", LegendBest: "최고",
		Bars:         []Bar{{Name: "지수", Score: ptr(52.3), Low: ptr(48), High: ptr(55), IsIndex: true}, {Name: "환경", Median: ptr(40)}},
		PeersHeading: "유사 도시", PeerColumns: []string{"도시", "순위"}, Peers: [][]string{{"부산", "4"}},
		SourcesHeading: "출처", Sources: []string{"KOSTAT"}, Footer: "CityLens", PageLabel: "%d / %s 쪽", Created: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
}

// TestWrite: an A4 page, the font embedded (subset), the same profile
// printing the same bytes.
func TestWrite(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, doc()); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, doc()); err != nil {
		t.Fatal(err)
	}
	s := a.String()
	if !strings.HasPrefix(s, "%PDF-") || len(rePage.FindAllString(s, -1)) != 1 {
		t.Fatalf("not a one-page PDF: %d pages", len(rePage.FindAllString(s, -1)))
	}
	if !strings.Contains(s, "/MediaBox [0 0 595.28 841.89]") {
		t.Errorf("not A4")
	}
	if !strings.Contains(s, "/FontFile2") || a.Len() > 400<<10 {
		t.Errorf("font not embedded as a subset (%d bytes)", a.Len())
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("the same profile printed differently")
	}
}

// TestWriteBounded: a huge peer list prints at most maxRows rows.
func TestWriteBounded(t *testing.T) {
	d := doc()
	for i := range 5000 {
		d.Peers = append(d.Peers, []string{"City " + strconv.Itoa(i), strconv.Itoa(i)})
		d.Sources = append(d.Sources, "Source "+strconv.Itoa(i))
	}
	var out bytes.Buffer
	if err := Write(&out, d); err != nil {
		t.Fatal(err)
	}
	if n := len(rePage.FindAllString(out.String(), -1)); n > 12 {
		t.Errorf("%d pages for 5,000 peers: not bounded", n)
	}
}
