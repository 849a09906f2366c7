package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// Prepared statements, for a driver that parses every statement anew
// (modernc.org/sqlite: parsing was a sixth of the CPU of saving a value,
// and a third of writing a bulk import's row batches). pgx caches its
// statements itself, so the PostgreSQL dialect leaves this off.

// maxCachedStmts bounds the cache: queries built with a varying number of
// placeholders (IN lists, row batches) make a bounded number of shapes, and
// any beyond the bound run unprepared.
const maxCachedStmts = 1000

type stmtKey struct {
	pool  *sql.DB
	query string
}

type stmtCache struct {
	mu     sync.Mutex
	stmts  map[stmtKey]*sql.Stmt // nil while being prepared
	closed bool
}

// get returns the statement of query prepared on pool, or nil when the
// query runs unprepared this time. inTx says the caller holds a
// transaction: preparing on the pool might then wait for the very
// connection the transaction holds (SQLite's one writer), so the statement
// is prepared in the background, for the next callers.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, query string, inTx bool) *sql.Stmt {
	if strings.Contains(query, ";") {
		return nil // a script of several statements (migrations)
	}
	k := stmtKey{pool, query}
	c.mu.Lock()
	s, seen := c.stmts[k]
	if seen || c.closed || len(c.stmts) >= maxCachedStmts {
		c.mu.Unlock()
		return s
	}
	if c.stmts == nil {
		c.stmts = map[stmtKey]*sql.Stmt{}
	}
	c.stmts[k] = nil
	c.mu.Unlock()
	if inTx {
		go c.prepare(context.WithoutCancel(ctx), k)
		return nil
	}
	return c.prepare(ctx, k)
}

func (c *stmtCache) prepare(ctx context.Context, k stmtKey) *sql.Stmt {
	s, err := k.pool.PrepareContext(ctx, k.query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		delete(c.stmts, k) // the query runs unprepared (and reports any error); a later call tries again
		if s != nil {
			s.Close()
		}
		return nil
	}
	c.stmts[k] = s
	return s
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, s := range c.stmts {
		if s != nil {
			s.Close()
		}
	}
	c.stmts = nil
}

// txStmts are the statements a transaction prepared itself, for the
// queries the pool had no statement for yet: a bulk import runs its row
// batch statement hundreds of times in one transaction. The transaction
// closes them when it ends.
type txStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

type txStmtsKey struct{ db *Store }

// preparedQuerier runs statements prepared once on pool, within tx when
// set.
type preparedQuerier struct {
	cache *stmtCache
	pool  *sql.DB
	tx    *sql.Tx
	local *txStmts // with tx
}

func (q preparedQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	s := q.cache.get(ctx, q.pool, query, q.tx != nil)
	if q.tx == nil {
		return s
	}
	if s != nil {
		return q.tx.StmtContext(ctx, s) // closed with the transaction
	}
	if q.local == nil || strings.Contains(query, ";") {
		return nil
	}
	q.local.mu.Lock()
	defer q.local.mu.Unlock()
	if s, ok := q.local.stmts[query]; ok {
		return s
	}
	s, err := q.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared, which reports the error
	}
	if q.local.stmts == nil {
		q.local.stmts = map[string]*sql.Stmt{}
	}
	q.local.stmts[query] = s
	return s
}

func (q preparedQuerier) plain() Querier {
	if q.tx != nil {
		return q.tx
	}
	return q.pool
}

func (q preparedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return q.plain().ExecContext(ctx, query, args...)
}

func (q preparedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return q.plain().QueryContext(ctx, query, args...)
}

func (q preparedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return q.plain().QueryRowContext(ctx, query, args...)
}
