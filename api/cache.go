package api

import "numberpool/internal/boundedcache"

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
func newKeyCache() *boundedcache.Cache[string] {
	return boundedcache.New[string](maxCachedKeys)
}
