package prize

import (
	"hash/maphash"
	"strconv"
	"sync"
)

// dupCache keeps the last duplicates found for each edition with a
// fingerprint of everything FindDuplicates reads (each application's
// number, account, state, organisation, title and summary, in order):
// the board, viewed again and again while nothing changed, then costs a
// hash of the applications instead of comparing every pair.
type dupCache struct {
	mu   sync.Mutex
	last map[string]dupEntry
}

// boardDups is the board's cache, shared by every Service of the process
// (a Service is copied by value): an entry is used only when the
// fingerprint of its inputs matches, so it holds whatever the database.
var boardDups dupCache

type dupEntry struct {
	sum  uint64
	dups []Duplicate
}

var dupSeed = maphash.MakeSeed()

// fingerprint hashes FindDuplicates' inputs.
func dupFingerprint(apps []*Application) uint64 {
	var h maphash.Hash
	h.SetSeed(dupSeed)
	var buf []byte
	for _, a := range apps {
		buf = strconv.AppendInt(buf[:0], a.ID, 10)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, a.UserID, 10)
		buf = append(buf, 0)
		h.Write(buf)
		h.WriteString(a.State)
		h.WriteByte(0)
		h.WriteString(a.Organisation)
		h.WriteByte(0)
		h.WriteString(a.Title)
		h.WriteByte(0)
		h.WriteString(a.Summary())
		h.WriteByte(1)
	}
	return h.Sum64()
}

// duplicates is FindDuplicates(apps), from the cache when the edition's
// applications are as they were.
func (c *dupCache) duplicates(edition string, apps []*Application) []Duplicate {
	sum := dupFingerprint(apps)
	c.mu.Lock()
	e, ok := c.last[edition]
	c.mu.Unlock()
	if ok && e.sum == sum {
		return append([]Duplicate(nil), e.dups...)
	}
	dups := FindDuplicates(apps)
	c.mu.Lock()
	if c.last == nil {
		c.last = map[string]dupEntry{}
	}
	c.last[edition] = dupEntry{sum: sum, dups: append([]Duplicate(nil), dups...)}
	c.mu.Unlock()
	return dups
}
