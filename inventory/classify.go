package inventory

import (
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"

	"numberpool"
)

// classification is the metadata of phonenumbers for an E.164 number: its
// country, its kind (UNKNOWN when it matches no number range, which makes
// it invalid) and its region.
type classification struct {
	country string
	kind    phonenumbers.PhoneNumberType
	region  string
}

// classify parses e164 and looks it up in the metadata. In phonenumbers
// v1.8.1, GetNumberType returns UNKNOWN exactly when IsValidNumber returns
// false, because both match the number against the ranges of its country.
// One call thus validates and classifies. The region is looked up only when
// withRegion is set, because the geocoding data is slow to search.
func classify(e164 string, withRegion bool) (classification, error) {
	parsed, country, err := numberpool.ParseNewE164Number("e164", e164)
	if err != nil {
		return classification{}, err
	}

	c := classification{country: country, kind: phonenumbers.GetNumberType(parsed)}
	if withRegion && c.kind != phonenumbers.UNKNOWN {
		c.region = regionOf(parsed, country)
	}
	return c, nil
}

// nanpKeyDigits is how many digits of a North American national number
// (10 digits after +1) decide its classification. In phonenumbers v1.8.1
// the geocoding lookup reads at most 8 of them, and the number patterns of
// calling code 1 end in runs of \d after a few leading digits.
// TestClassifierMatchesMetadata checks the patterns on many numbers, and it
// also passes with 6 digits.
const nanpKeyDigits = 8

// maxCachedPrefixes caps the cache of a classifier, about 100 bytes an
// entry, for files of numbers scattered over many prefixes.
const maxCachedPrefixes = 100_000

// classifier classifies numbers and caches the classification of North
// American numbers by their first nanpKeyDigits national digits, which an
// inventory of consecutive numbers shares. Parsing and matching a number
// costs about 10 µs, which is most of the time of validating a row. A
// classifier is safe for concurrent use.
type classifier struct {
	prefixes sync.Map // uint64 key -> classification
	size     atomic.Int64
}

// classify returns the classification of e164 as the package function
// does, but with the region always set for a cached North American number.
func (cl *classifier) classify(e164 string, withRegion bool) (classification, error) {
	key, ok := nanpKey(e164)
	if !ok {
		return classify(e164, withRegion)
	}
	if c, hit := cl.prefixes.Load(key); hit {
		return c.(classification), nil
	}

	c, err := classify(e164, true)
	if err == nil && cl.size.Load() < maxCachedPrefixes {
		if _, loaded := cl.prefixes.LoadOrStore(key, c); !loaded {
			cl.size.Add(1)
		}
	}
	return c, err
}

// nanpKey returns the cache key of a number of calling code 1 written as
// +1 and 10 digits: the calling code and the first nanpKeyDigits digits.
func nanpKey(e164 string) (uint64, bool) {
	if len(e164) != 12 || e164[0] != '+' || e164[1] != '1' {
		return 0, false
	}
	for i := 2; i < len(e164); i++ {
		if e164[i] < '0' || e164[i] > '9' {
			return 0, false
		}
	}
	return digits(e164[:2+nanpKeyDigits]), true
}
