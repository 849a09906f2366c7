package release

import (
	"bytes"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/engine"
)

// oldHash is the hash testdata/release/draft.json published under
// testConfig had before releases could carry Korean names: a release
// without them keeps its hash.
const oldHash = "4bc500b22486c9793feed1cdc81d000438de218adf4971979e241c5243db21dd"

func TestKoreanNamesKeepOldHashes(t *testing.T) {
	r := testRelease(t)
	if r.Hash() != oldHash {
		t.Errorf("a release without Korean names hashes to %s, was %s", r.Hash(), oldHash)
	}
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"name_ko"`, `"unit_ko"`, `"definition_ko"`} {
		if bytes.Contains(b, []byte(k)) {
			t.Errorf("a release without Korean names writes %s", k)
		}
	}
	if r.In("ko") != r || r.In("en") != r {
		t.Error("a release without Korean names has a Korean view of its own")
	}
}

func TestKoreanView(t *testing.T) {
	d := testDraft(t)
	ind := ""
	for i := range d.Framework {
		n := &d.Framework[i]
		n.NameKo = "한국어 " + n.Code
		if n.Unit != "" {
			n.UnitKo = "단위 " + n.Code
		}
		if n.Kind == engine.Indicator && ind == "" {
			ind = n.Code
		}
	}
	for i := range d.Indicators {
		d.Indicators[i].DefinitionKo = "정의 " + d.Indicators[i].Code
	}
	r := mustPublish(t, PublishInput{Draft: d, Config: testConfig()})
	if r.Hash() == oldHash {
		t.Fatal("the Korean names are not part of the release's content hash")
	}
	k := r.In("ko")
	if k == r || r.In("ko") != k {
		t.Fatal("the Korean view is not made once")
	}
	if k.Hash() != r.Hash() {
		t.Error("the Korean view has another hash")
	}
	v, err := k.Indicator(ind)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "한국어 "+ind || v.Unit != "단위 "+ind || v.Definition != "정의 "+ind {
		t.Errorf("Korean view of %s: %q, %q, %q", ind, v.Name, v.Unit, v.Definition)
	}
	e, _ := r.Indicator(ind)
	if strings.HasPrefix(e.Name, "한국어") || e.EffectiveWeight != v.EffectiveWeight {
		t.Errorf("the English release shows %q; figures differ between views", e.Name)
	}
	for _, n := range k.Methodology().Tree {
		if n.Name != "한국어 "+n.Code {
			t.Errorf("Korean methodology node %s named %q", n.Code, n.Name)
		}
	}
	// The Korean view writes the document as published, which loads.
	a, _ := r.MarshalJSON()
	b, _ := k.MarshalJSON()
	if !bytes.Equal(a, b) {
		t.Fatal("the Korean view writes another document")
	}
	back, err := Unmarshal(b)
	if err != nil || back.Hash() != r.Hash() {
		t.Fatalf("reloading: %v", err)
	}
	if bv, _ := back.In("ko").Indicator(ind); bv.Name != "한국어 "+ind {
		t.Errorf("a reloaded release's Korean view names %s %q", ind, bv.Name)
	}
}
