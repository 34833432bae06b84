package api

import (
	"sync"
	"sync/atomic"
)

// boundedCache is a concurrent map from strings to values that holds about
// limit entries at most. Adding to a full cache empties it first, which
// keeps memory bounded without any per-entry bookkeeping on reads. Racing
// adds can exceed limit by the number of adding goroutines.
type boundedCache[V any] struct {
	limit   int64
	entries sync.Map // string -> V
	size    atomic.Int64
}

func (c *boundedCache[V]) get(key string) (V, bool) {
	value, ok := c.entries.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return value.(V), true
}

// add caches value under key, unless key is cached already.
func (c *boundedCache[V]) add(key string, value V) {
	if _, ok := c.entries.Load(key); ok {
		return
	}
	if c.size.Load() >= c.limit {
		c.entries.Clear()
		c.size.Store(0)
	}
	if _, loaded := c.entries.LoadOrStore(key, value); !loaded {
		c.size.Add(1)
	}
}

// maxCachedKeys bounds the key cache of a Server. It is far above the
// number of keys that clients of one server use at a time, so the cache
// rarely starts over.
const maxCachedKeys = 10_000

// newKeyCache returns the cache that maps the hashes of known API keys to
// the accounts that own them, so that an authenticated request does not
// query the store for its key.
//
// An entry cannot go stale, because in this version no API key is ever
// deleted or moved to another account. Unknown keys are never cached, so a
// key created after a failed request works on the next one.
//
// NOTE: a feature that revokes keys must evict the revoked hash from this
// cache in every server process, or stop using the cache.
func newKeyCache() *boundedCache[string] {
	return &boundedCache[string]{limit: maxCachedKeys}
}
