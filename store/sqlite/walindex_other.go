//go:build !unix

package sqlite

import "errors"

// walIndex is not available on this platform, so previews are never served
// from the cache.
type walIndex struct{}

type walVersion struct{}

func openWALIndex(string) (*walIndex, error) {
	return nil, errors.New("reading the WAL index is supported on Unix only")
}

func (w *walIndex) version() (walVersion, bool) { return walVersion{}, false }

func (w *walIndex) frames() (frames, backfilled uint32, ok bool) { return 0, 0, false }
