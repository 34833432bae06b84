package numberpool

import (
	"crypto/rand"
	"crypto/sha256"
	"strings"
)

// API key prefixes: live keys act on real accounts, test keys on sandbox ones.
const (
	LiveKeyPrefix = "tvx_sk_live_"
	TestKeyPrefix = "tvx_sk_test_"
)

const (
	base62        = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	keySecretSize = 32 // base62 characters, about 190 bits
)

// NewAPIKey returns a fresh secret key: prefix and 32 random base62
// characters from crypto/rand.
func NewAPIKey(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	buf := make([]byte, 1)
	for b.Len() < len(prefix)+keySecretSize {
		rand.Read(buf)
		// 248 is the largest multiple of 62 below 256: rejecting the bytes above
		// it keeps every character equally likely.
		if buf[0] < 248 {
			b.WriteByte(base62[buf[0]%62])
		}
	}
	return b.String()
}

// HashAPIKey returns the SHA-256 of a key, the only form in which keys are
// stored. A fast hash is enough because keys carry about 190 random bits,
// which no dictionary attack can guess.
func HashAPIKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}
