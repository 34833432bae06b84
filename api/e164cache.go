package api

import (
	"numberpool"
	"numberpool/internal/boundedcache"
)

// maxCachedNumbers bounds the cache of valid path numbers.
const maxCachedNumbers = 10_000

// validNumbers holds path numbers that numberpool.ValidateE164 accepted. Its
// check parses the number with the phonenumbers library, whose regular
// expressions took more CPU than the rest of a release preview's handler in
// the bench/release profile. The check depends on the string alone, so a
// cached acceptance is what the check would return again. Rejected numbers
// are not cached.
var validNumbers = boundedcache.New[struct{}](maxCachedNumbers)

// validatePathNumber is numberpool.ValidateE164 with the accepted numbers
// cached.
func validatePathNumber(field, e164 string) error {
	if _, ok := validNumbers.Get(e164); ok {
		return nil
	}
	if err := numberpool.ValidateE164(field, e164); err != nil {
		return err
	}
	validNumbers.Add(e164, struct{}{})
	return nil
}
