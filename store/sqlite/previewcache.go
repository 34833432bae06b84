package sqlite

import (
	"database/sql"
	"sync/atomic"
	"time"

	"numberpool"
	"numberpool/internal/boundedcache"
)

// maxCachedPreviews bounds the cache of previews: about 300 bytes each.
const maxCachedPreviews = 50_000

// previewFacts are the rows that a release preview reads from the
// database. The preview is a function of them and of the time, so facts
// that are still current give the preview of any later time.
type previewFacts struct {
	row                numberRow
	guards             numberpool.ReleaseGuards // without the holds
	onHold             bool
	coolingOffDays     sql.NullInt64
	trunkName, appName sql.NullString
	readAt             time.Time
}

// cacheable reports whether the facts stay current until the next commit.
// A count of active calls above zero drops, with no commit, as calls pass
// the maximum call duration. A count of zero grows only through a commit.
// A number under a hold is previewed in a transaction that reads the hold's
// reasons, so its facts are not kept.
func (f previewFacts) cacheable() bool {
	return f.guards.ActiveCalls == 0 && !f.onHold
}

// previewCache holds the facts of recent previews, each with the WAL-index
// header of the moment before it was read. A header that has not changed
// proves that no connection of any process committed since, so the facts
// serve a preview without a query. Any commit changes the header, so the
// cache serves reads between writes and every write starts it over.
type previewCache struct {
	entries *boundedcache.Cache[cachedPreview]
	hits    atomic.Int64 // for tests
}

type cachedPreview struct {
	version walVersion
	facts   previewFacts
}

func newPreviewCache() *previewCache {
	return &previewCache{entries: boundedcache.New[cachedPreview](maxCachedPreviews)}
}

func previewKey(accountID, e164 string) string {
	return accountID + " " + e164
}

// lookup returns the facts cached under key when they were read at version
// and, as the time of a preview only moves forward, no later than now.
func (c *previewCache) lookup(key string, version walVersion, now time.Time) (previewFacts, bool) {
	cached, ok := c.entries.Get(key)
	if !ok || cached.version != version || now.Before(cached.facts.readAt) {
		return previewFacts{}, false
	}
	c.hits.Add(1)
	return cached.facts, true
}

// store caches facts, read after the header was version, when they stay
// current until the next commit.
func (c *previewCache) store(key string, version walVersion, facts previewFacts) {
	if facts.cacheable() {
		c.entries.Put(key, cachedPreview{version: version, facts: facts})
	}
}

// walVersion returns the WAL-index header, or false when the store cannot
// read it or a writer is rewriting it; a preview then reads the database.
func (s *Store) walVersion() (walVersion, bool) {
	if s.walIndex == nil {
		return walVersion{}, false
	}
	return s.walIndex.version()
}
