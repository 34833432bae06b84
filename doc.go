// Package numberpool holds the domain of a phone-number inventory: numbers and
// their lifecycle states, the early termination fee and cooling-off rules, API
// keys, the closed set of error codes, and the store interfaces that the
// storage backends implement. It performs no I/O, so every rule here can be
// tested with plain values and a clock.
package numberpool
