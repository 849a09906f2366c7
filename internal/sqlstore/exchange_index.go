package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/citylens/citylens/internal/exchange"
)

// exchangeIndex is the practice library's facet index in memory: each
// case's visibility and facet values, as small numbers. A search asks the
// database only for the text matches (the full-text index) and for the
// page of cases it shows; filters, visibility, the total and every facet
// count are one pass over the matches here. Counting facets in SQL joins
// every match to its facet rows (a third of 100,000 cases matched a
// two-word Korean query: 300,000 rows grouped per search).
//
// The index follows the database through exchange_library's sequence
// (migration 610): every write of a case takes the next number, in commit
// order, and a search first reads the cases past the last number the
// index has seen (one indexed query that finds none when nothing
// changed). So every process and replica serving searches stays current
// with what it reads.
type exchangeIndex struct {
	refresh sync.Mutex // one refresh at a time
	mu      sync.RWMutex
	seq     int64 // the last sequence number read; -1 before the first read
	loaded  bool
	values  []exchangeFacetValue // by value number
	numbers map[exchangeFacetValue]int32
	cases   map[int64]*exchangeIndexed
	ids     []int64 // the cases' ids, ascending
	sorted  bool
}

type exchangeFacetValue struct {
	field int // index in exchange.Facets
	value string
}

type exchangeIndexed struct {
	public bool
	values []int32 // facet value numbers, ascending
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
	ix.refresh.Lock()
	defer ix.refresh.Unlock()
	if !ix.loaded {
		ix.seq = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.seq, c.visibility, COALESCE(f.field, ''), COALESCE(f.value, '')
		FROM exchange_cases c LEFT JOIN exchange_case_facets f ON f.case_id = c.id
		WHERE c.seq > $1`, ix.seq)
	if err != nil {
		return nil, db.dbError(ctx, "exchange index", err)
	}
	type row struct {
		id, seq       int64
		vis, fld, val string
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.seq, &r.vis, &r.fld, &r.val); err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "exchange index", err)
		}
		got = append(got, r)
	}
	if err := rows.Close(); err != nil {
		return nil, db.dbError(ctx, "exchange index", err)
	}
	if len(got) > 0 || !ix.loaded {
		ix.mu.Lock()
		if !ix.loaded {
			ix.numbers = map[exchangeFacetValue]int32{}
			ix.cases = map[int64]*exchangeIndexed{}
			ix.loaded, ix.sorted = true, true
		}
		fresh := map[int64]*exchangeIndexed{}
		for _, r := range got {
			e := fresh[r.id]
			if e == nil {
				e = &exchangeIndexed{public: r.vis == exchange.Public}
				fresh[r.id] = e
				if _, known := ix.cases[r.id]; !known {
					ix.ids = append(ix.ids, r.id)
					ix.sorted = false
				}
				ix.cases[r.id] = e
			}
			ix.seq = max(ix.seq, r.seq)
			f, ok := exchangeFacetField[r.fld]
			if !ok {
				continue
			}
			k := exchangeFacetValue{f, r.val}
			n, ok := ix.numbers[k]
			if !ok {
				n = int32(len(ix.values))
				ix.values = append(ix.values, k)
				ix.numbers[k] = n
			}
			e.values = append(e.values, n)
		}
		for _, e := range fresh {
			slices.Sort(e.values)
		}
		if !ix.sorted {
			slices.Sort(ix.ids)
			ix.sorted = true
		}
		ix.mu.Unlock()
	}
	ix.mu.RLock()
	return ix, nil
}

// exchangeHit is a text match and its rank (lower ranks first).
type exchangeHit struct {
	id   int64
	rank float64
}

// exchangeMatches are the cases whose index terms match all terms (each
// as a prefix), with their rank.
func (db *Store) exchangeMatches(ctx context.Context, terms []string) ([]exchangeHit, error) {
	var query string
	var arg string
	if db.dialect.Name == "postgres" {
		qs := make([]string, len(terms))
		for i, t := range terms {
			qs[i] = "'" + t + "':*"
		}
		arg = strings.Join(qs, " & ")
		query = `SELECT id, -ts_rank(terms, $1::tsquery) FROM exchange_cases WHERE terms @@ $1::tsquery`
	} else {
		qs := make([]string, len(terms))
		for i, t := range terms {
			qs[i] = `"` + t + `"*`
		}
		arg = strings.Join(qs, " AND ")
		query = `SELECT rowid, bm25(exchange_case_fts) FROM exchange_case_fts WHERE exchange_case_fts MATCH $1`
	}
	rows, err := db.reader(ctx).QueryContext(ctx, query, arg)
	if err != nil {
		return nil, db.dbError(ctx, "exchange search", err)
	}
	defer rows.Close()
	var out []exchangeHit
	for rows.Next() {
		var h exchangeHit
		if err := rows.Scan(&h.id, &h.rank); err != nil {
			return nil, db.dbError(ctx, "exchange search", err)
		}
		out = append(out, h)
	}
	return out, db.dbError(ctx, "exchange search", rows.Err())
}

// counted filters hits (nil: every case, newest first) by
// visibility and q's filters, counts the facets of what is left and
// returns it in rank order. ix is read-locked.
func (ix *exchangeIndex) counted(hits []exchangeHit, all bool, q exchange.Query) ([]exchangeHit, map[string][]exchange.FacetCount) {
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
	keep := func(id int64) bool {
		e := ix.cases[id]
		if e == nil || (!e.public && !q.Members) {
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
	var out []exchangeHit
	if all {
		out = make([]exchangeHit, 0, len(ix.ids))
		for i := len(ix.ids) - 1; i >= 0; i-- {
			if keep(ix.ids[i]) {
				out = append(out, exchangeHit{id: ix.ids[i]})
			}
		}
	} else {
		out = hits[:0]
		for _, h := range hits {
			if keep(h.id) {
				out = append(out, h)
			}
		}
		slices.SortFunc(out, func(a, b exchangeHit) int {
			if c := cmp.Compare(a.rank, b.rank); c != 0 {
				return c
			}
			return cmp.Compare(b.id, a.id)
		})
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
	return out, facets
}
