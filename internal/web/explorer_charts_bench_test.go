package web_test

import (
	"testing"
)

// BenchmarkProfilePDF1000x300 measures printing a city's profile (A4 PDF,
// the font's glyphs subset into it) on a release of 1,000 cities × 300
// indicators, each city for the first time.
func BenchmarkProfilePDF1000x300(b *testing.B) {
	_, cold, cities := benchServer(b, 1000, 300)
	benchGet(b, cold, "/rankings") // loads the release
	for i := 0; b.Loop(); i++ {
		benchGet(b, cold, "/cities/"+cities[i%len(cities)].Code+"/profile.pdf?lang=ko")
	}
}
