package sqlstore

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"

	"github.com/citylens/citylens/internal/exchange"
)

// exchangeIndex is the practice library's search index in memory, the
// same on both databases: each case's visibility and facet values as small
// numbers (the facet index), and an inverted index of its terms (the text
// index: for each term of exchange.Terms, the cases that hold it). A
// search asks the database only for the page of cases it shows; the text
// match, its ranking, filters, visibility, the total and every facet
// count are passes over these arrays. Counting facets in SQL joined every
// match to its facet rows (a third of 100,000 cases matched a two-word
// Korean query: 300,000 rows grouped per search), and ranking in the
// databases (FTS5's bm25, PostgreSQL's ts_rank) read every match's row:
// most of a broad search's time.
//
// The index follows the database through exchange_library's sequence
// (migration 610): every write of a case takes the next number, in commit
// order, and a search first reads the cases past the last number the
// index has seen (one indexed query that finds none when nothing
// changed). So every process and replica serving searches stays current
// with what it reads.
type exchangeIndex struct {
	refresh sync.Mutex // one refresh at a time: a search during the first load waits for it
	mu      sync.RWMutex
	loads   int    // whole loads of the library (under refresh)
	onLoad  func() // called before a whole load (tests: to hold the warm-up)
	onWait  func() // called before taking refresh (tests: a search has started)
	seq     int64  // the last sequence number read; -1 before the first read
	loaded  bool
	values  []exchangeFacetValue // by value number
	numbers map[exchangeFacetValue]int32
	docOf   map[int64]int32 // case id → document number
	docs    []exchangeDoc   // by document number (arrival order)
	byID    []int32         // document numbers by case id, ascending
	sorted  bool

	termOf   map[string]int32
	terms    []string  // by term number
	postings [][]int32 // by term number: document number << 1 | 1 if in the title, ascending
	dict     []int32   // term numbers in the terms' order, for prefixes
	dictOK   bool      // dict holds every term
	length   int64     // the documents' terms, summed (for the mean length)
}

type exchangeFacetValue struct {
	field int // index in exchange.Facets
	value string
}

// exchangeDoc is one case in the index.
type exchangeDoc struct {
	id     int64
	public bool
	values []int32 // facet value numbers, ascending
	terms  []int32 // term numbers
}

// exchangeFacetField is the index of each facet field in exchange.Facets.
var exchangeFacetField = func() map[string]int {
	m := map[string]int{}
	for i, f := range exchange.Facets {
		m[f] = i
	}
	return m
}()

// nextExchangeSeq takes the library's next sequence number in the write
// transaction in ctx; the row lock it takes orders writers by commit.
func (db *Store) nextExchangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.writer(ctx).QueryRowContext(ctx, `UPDATE exchange_library SET seq = seq + 1 WHERE id = 1 RETURNING seq`).Scan(&seq)
	return seq, db.dbError(ctx, "exchange library sequence", err)
}

// freshExchangeIndex brings the index up to what the read pool sees (never
// a transaction's uncommitted writes, which might be rolled back) and
// returns it read-locked; the caller calls ix.mu.RUnlock.
func (db *Store) freshExchangeIndex(ctx context.Context) (*exchangeIndex, error) {
	ix := &db.exch
	if ix.onWait != nil {
		ix.onWait()
	}
	ix.refresh.Lock()
	defer ix.refresh.Unlock()
	if !ix.loaded {
		ix.seq = -1
		if ix.onLoad != nil {
			ix.onLoad()
		}
	}
	// The library's last number first (one row by its key): when the
	// index has seen it, nothing changed, and the search asks nothing
	// more of the database until it reads its page. Numbers are taken in
	// commit order, so every case up to lib is committed and the query
	// below, run later, sees it.
	var lib int64
	if err := db.read.QueryRowContext(ctx, `SELECT seq FROM exchange_library WHERE id = 1`).Scan(&lib); err != nil {
		return nil, db.dbError(ctx, "exchange library sequence", err)
	}
	if ix.loaded && lib <= ix.seq {
		ix.mu.RLock()
		return ix, nil
	}
	// One statement, so one snapshot: each changed case's terms (field
	// '') and its facet values.
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.seq, c.visibility, '', c.terms_text, c.title || ' ' || c.title_ko
		FROM exchange_cases c WHERE c.seq > $1
		UNION ALL
		SELECT c.id, c.seq, c.visibility, f.field, f.value, ''
		FROM exchange_cases c JOIN exchange_case_facets f ON f.case_id = c.id WHERE c.seq > $1`, ix.seq)
	if err != nil {
		return nil, db.dbError(ctx, "exchange index", err)
	}
	type row struct {
		id, seq              int64
		vis, fld, val, title string
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.seq, &r.vis, &r.fld, &r.val, &r.title); err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "exchange index", err)
		}
		got = append(got, r)
	}
	if err := rows.Close(); err != nil {
		return nil, db.dbError(ctx, "exchange index", err)
	}
	if len(got) > 0 || !ix.loaded {
		if !ix.loaded {
			ix.loads++
		}
		ix.mu.Lock()
		ix.apply(len(got), func(yield func(id, seq int64, vis, fld, val, title string)) {
			for _, r := range got {
				yield(r.id, r.seq, r.vis, r.fld, r.val, r.title)
			}
		})
		ix.sortDict()
		ix.mu.Unlock()
	}
	ix.seq = max(ix.seq, lib) // (read and written under ix.refresh only)
	ix.mu.RLock()
	return ix, nil
}

// WarmExchangeIndex loads the library's index now (the server calls it in
// the background at start), so the first search does not pay for it. A
// search meanwhile waits for this load and uses it: the library is read
// once. Afterwards it only catches up, as every search does.
func (db *Store) WarmExchangeIndex(ctx context.Context) error {
	ix, err := db.freshExchangeIndex(ctx)
	if err != nil {
		return err
	}
	ix.mu.RUnlock()
	return nil
}

// ExchangeIndexLoads is how many times this store has read the whole
// library into its index (once, unless a first load failed).
func (db *Store) ExchangeIndexLoads() int {
	db.exch.refresh.Lock()
	defer db.exch.refresh.Unlock()
	return db.exch.loads
}

// HookExchangeIndex sets, for tests, functions called before a whole load
// of the index (under its refresh lock) and before a search or warm-up
// waits for that lock. Set them before any search.
func (db *Store) HookExchangeIndex(beforeLoad, beforeWait func()) {
	db.exch.onLoad, db.exch.onWait = beforeLoad, beforeWait
}

// apply replaces the entries of the cases in rows (each case's facet
// rows and one terms row, field ”). ix is write-locked.
func (ix *exchangeIndex) apply(n int, rows func(yield func(id, seq int64, vis, fld, val, title string))) {
	first := !ix.loaded
	if first {
		ix.numbers = map[exchangeFacetValue]int32{}
		ix.docOf = make(map[int64]int32, n/8)
		ix.termOf = map[string]int32{}
		ix.loaded, ix.sorted = true, true
	}
	fresh := map[int32]bool{}
	rows(func(id, seq int64, vis, fld, val, title string) {
		d, known := ix.docOf[id]
		if !known {
			d = int32(len(ix.docs))
			ix.docs = append(ix.docs, exchangeDoc{id: id})
			ix.docOf[id] = d
			ix.byID = append(ix.byID, d)
			ix.sorted = false
		}
		e := &ix.docs[d]
		if !fresh[d] {
			fresh[d] = true
			ix.unpost(d)
			e.public, e.values, e.terms = vis == exchange.Public, e.values[:0], nil
		}
		ix.seq = max(ix.seq, seq)
		if fld == "" {
			ix.post(d, val, title)
			return
		}
		f, ok := exchangeFacetField[fld]
		if !ok {
			return
		}
		k := exchangeFacetValue{f, val}
		v, ok := ix.numbers[k]
		if !ok {
			v = int32(len(ix.values))
			ix.values = append(ix.values, k)
			ix.numbers[k] = v
		}
		e.values = append(e.values, v)
	})
	for d := range fresh {
		slices.Sort(ix.docs[d].values)
	}
	if first {
		// The whole library was read: give back what the posting lists
		// grew in advance (up to half of them).
		for n, p := range ix.postings {
			ix.postings[n] = slices.Clip(slices.Clone(p))
		}
		ix.docs = slices.Clip(ix.docs)
	}
	if !ix.sorted {
		slices.SortFunc(ix.byID, func(a, b int32) int { return cmp.Compare(ix.docs[a].id, ix.docs[b].id) })
		ix.sorted = true
	}
}

// post adds document d's terms (terms_text: exchange.Terms of the case,
// space-separated) to the inverted index, marking those of its title.
func (ix *exchangeIndex) post(d int32, termsText, title string) {
	inTitle := map[string]bool{}
	for _, t := range exchange.Terms(title, false) {
		inTitle[t] = true
	}
	e := &ix.docs[d]
	fields := strings.Fields(termsText)
	e.terms = make([]int32, 0, len(fields))
	for _, t := range fields {
		n, ok := ix.termOf[t]
		if !ok {
			n = int32(len(ix.terms))
			ix.terms = append(ix.terms, t)
			ix.postings = append(ix.postings, nil)
			ix.termOf[t] = n
			ix.dictOK = false
		}
		p := d << 1
		if inTitle[t] {
			p |= 1
		}
		ps := ix.postings[n]
		if len(ps) == 0 || ps[len(ps)-1] < p {
			ix.postings[n] = append(ps, p) // a new document: the usual case
		} else {
			i, _ := slices.BinarySearch(ps, p)
			ix.postings[n] = slices.Insert(ps, i, p)
		}
		e.terms = append(e.terms, n)
	}
	ix.length += int64(len(e.terms))
}

// unpost removes document d's terms from the inverted index.
func (ix *exchangeIndex) unpost(d int32) {
	e := &ix.docs[d]
	for _, n := range e.terms {
		ps := ix.postings[n]
		if i, ok := slices.BinarySearch(ps, d<<1); ok {
			ix.postings[n] = slices.Delete(ps, i, i+1)
		} else if i, ok := slices.BinarySearch(ps, d<<1|1); ok {
			ix.postings[n] = slices.Delete(ps, i, i+1)
		}
	}
	ix.length -= int64(len(e.terms))
	e.terms = nil
}

// exchangeHit is a text match and its score (higher first).
type exchangeHit struct {
	doc   int32
	score float64
}

// BM25's constants, as FTS5 and Lucene use them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// matches are the documents holding every term (each as a prefix: any
// term of the index that begins with it), with their BM25F score. A
// case's terms are distinct, so a term occurs once in a case; an
// occurrence in the title counts twice. Each query term weighs its
// inverse document frequency (of the cases matching the prefix, as FTS5
// counts a prefix), and shorter cases score higher. ix is read-locked
// and its dictionary sorted (sortDict).
func (ix *exchangeIndex) matches(terms []string) []exchangeHit {
	nd := len(ix.docs)
	if nd == 0 || len(terms) == 0 {
		return nil
	}
	words := (nd + 63) / 64
	all := make([]uint64, words)          // in every term so far
	cur := make([]uint64, words)          // this term's documents
	title := make([][]uint64, len(terms)) // per term: its documents with it in the title
	idf := make([]float64, len(terms))
	for q, t := range terms {
		clear(cur)
		tb := make([]uint64, words)
		i, _ := slices.BinarySearchFunc(ix.dict, t, func(n int32, t string) int { return strings.Compare(ix.terms[n], t) })
		for ; i < len(ix.dict) && strings.HasPrefix(ix.terms[ix.dict[i]], t); i++ {
			for _, p := range ix.postings[ix.dict[i]] {
				d := p >> 1
				cur[d>>6] |= 1 << (d & 63)
				tb[d>>6] |= uint64(p&1) << (d & 63)
			}
		}
		df := 0
		for w, x := range cur {
			df += bits.OnesCount64(x)
			if q == 0 {
				all[w] = x
			} else {
				all[w] &= x
			}
		}
		if df == 0 {
			return nil
		}
		title[q] = tb
		// FTS5's idf: never below a small positive number, so a term in
		// more than half the library still counts a little.
		idf[q] = max(math.Log((float64(nd)-float64(df)+0.5)/(float64(df)+0.5)), 1e-6)
	}
	avg := float64(ix.length) / float64(nd)
	var out []exchangeHit
	for w, x := range all {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			x &^= 1 << b
			d := int32(w<<6 | b)
			norm := bm25K1 * (1 - bm25B + bm25B*float64(len(ix.docs[d].terms))/max(avg, 1))
			var s float64
			for q := range terms {
				tf := 1.0 + float64(title[q][w]>>b&1)
				s += idf[q] * tf * (bm25K1 + 1) / (tf + norm)
			}
			out = append(out, exchangeHit{doc: d, score: s})
		}
	}
	return out
}

// sortDict puts the dictionary in the terms' order after new terms came.
// ix is write-locked.
func (ix *exchangeIndex) sortDict() {
	if ix.dictOK {
		return
	}
	ix.dict = ix.dict[:0]
	for n := range ix.terms {
		if len(ix.postings[n]) > 0 {
			ix.dict = append(ix.dict, int32(n))
		}
	}
	slices.SortFunc(ix.dict, func(a, b int32) int { return strings.Compare(ix.terms[a], ix.terms[b]) })
	ix.dictOK = true
}

// counted filters hits (all: every case, newest first) by visibility and
// q's filters, counts the facets of what is left, and returns how many
// are left and the ids of the page q asks for, in order (score, then
// newest). ix is read-locked.
func (ix *exchangeIndex) counted(hits []exchangeHit, all bool, q exchange.Query) (int, []int64, map[string][]exchange.FacetCount) {
	// A filter on a field keeps a case with any of its values; filters on
	// different fields all hold.
	var wanted [][]int32 // per filtered field, its value numbers
	for _, f := range exchange.Facets {
		vs := q.Filters[f]
		if len(vs) == 0 {
			continue
		}
		var ns []int32
		for _, v := range vs {
			if n, ok := ix.numbers[exchangeFacetValue{exchangeFacetField[f], v}]; ok {
				ns = append(ns, n)
			}
		}
		wanted = append(wanted, ns)
	}
	counts := make([]int32, len(ix.values))
	keep := func(d int32) bool {
		e := &ix.docs[d]
		if !e.public && !q.Members {
			return false
		}
		for _, ns := range wanted {
			ok := false
			for _, n := range ns {
				if _, found := slices.BinarySearch(e.values, n); found {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		for _, n := range e.values {
			counts[n]++
		}
		return true
	}
	lo, hi := max(q.Offset, 0), max(q.Offset, 0)+max(q.Limit, 0)
	var page []int64
	total := 0
	if all {
		for i := len(ix.byID) - 1; i >= 0; i-- {
			if d := ix.byID[i]; keep(d) {
				if total >= lo && total < hi {
					page = append(page, ix.docs[d].id)
				}
				total++
			}
		}
	} else {
		kept := hits[:0]
		for _, h := range hits {
			if keep(h.doc) {
				kept = append(kept, h)
			}
		}
		total = len(kept)
		better := func(a, b exchangeHit) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(ix.docs[b.doc].id, ix.docs[a.doc].id)
		}
		top := topHits(kept, min(hi, len(kept)), better)
		for _, h := range top[min(lo, len(top)):] {
			page = append(page, ix.docs[h.doc].id)
		}
	}
	facets := map[string][]exchange.FacetCount{}
	for n, c := range counts {
		if c > 0 {
			v := ix.values[n]
			f := exchange.Facets[v.field]
			facets[f] = append(facets[f], exchange.FacetCount{Value: v.value, Count: int(c)})
		}
	}
	for f, fcs := range facets {
		slices.SortFunc(fcs, func(a, b exchange.FacetCount) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Value, b.Value)
		})
		if len(fcs) > maxFacetValues {
			fcs = fcs[:maxFacetValues]
		}
		facets[f] = fcs
	}
	return total, page, facets
}

// topHits puts the k best of hits first, in order, and returns them: a
// page needs its own hits sorted, not every match. Where k is small
// beside the matches it keeps the k best in a heap (about n log k
// comparisons instead of n log n); it may reorder hits.
func topHits(hits []exchangeHit, k int, cmpf func(a, b exchangeHit) int) []exchangeHit {
	if k <= 0 {
		return nil
	}
	if k*8 >= len(hits) {
		slices.SortFunc(hits, cmpf)
		return hits[:k]
	}
	// A max-heap (by cmpf: the worst of the k on top) in hits[:k].
	h := hits[:k]
	down := func(i int) {
		for {
			l, m := 2*i+1, i
			if l < k && cmpf(h[l], h[m]) > 0 {
				m = l
			}
			if r := l + 1; r < k && cmpf(h[r], h[m]) > 0 {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range hits[k:] {
		if cmpf(x, h[0]) < 0 {
			h[0] = x
			down(0)
		}
	}
	slices.SortFunc(h, cmpf)
	return h
}
