// Package boundedcache holds Cache, a concurrent map from strings to values
// whose size stays near a limit without bookkeeping on reads.
package boundedcache

import (
	"sync"
	"sync/atomic"
)

// Cache is a concurrent map from strings to values that holds about limit
// entries at most. Adding to a full cache empties it first, which keeps
// memory bounded without any per-entry bookkeeping on reads. Racing adds can
// exceed the limit by the number of adding goroutines.
type Cache[V any] struct {
	limit   int64
	entries sync.Map // string -> V
	size    atomic.Int64
}

// New returns an empty cache of about limit entries at most.
func New[V any](limit int) *Cache[V] {
	return &Cache[V]{limit: int64(limit)}
}

// Get returns the value cached under key.
func (c *Cache[V]) Get(key string) (V, bool) {
	value, ok := c.entries.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return value.(V), true
}

// Add caches value under key, unless key is cached already.
func (c *Cache[V]) Add(key string, value V) {
	if _, ok := c.entries.Load(key); ok {
		return
	}
	c.makeRoom()
	if _, loaded := c.entries.LoadOrStore(key, value); !loaded {
		c.size.Add(1)
	}
}

// Put caches value under key, replacing any value cached there.
func (c *Cache[V]) Put(key string, value V) {
	if _, ok := c.entries.Load(key); !ok {
		c.makeRoom()
	}
	if _, loaded := c.entries.Swap(key, value); !loaded {
		c.size.Add(1)
	}
}

// Len returns about how many entries the cache holds.
func (c *Cache[V]) Len() int {
	return int(c.size.Load())
}

func (c *Cache[V]) makeRoom() {
	if c.size.Load() >= c.limit {
		c.entries.Clear()
		c.size.Store(0)
	}
}
