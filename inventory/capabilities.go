package inventory

import (
	"fmt"
	"strings"

	"numberpool"
)

// capabilitySet is a bit set of capabilities: voice = 1, sms = 2, mms = 4,
// the same bits as the SQLite schema.
type capabilitySet uint8

var capabilityBits = []struct {
	capability numberpool.Capability
	bit        capabilitySet
}{
	{numberpool.CapabilityVoice, 1},
	{numberpool.CapabilitySMS, 2},
	{numberpool.CapabilityMMS, 4},
}

// capabilityLists holds the list of every set, built once, so that turning a
// million rows into numbers allocates no capability slices. Numbers share
// these slices, so callers must not modify them.
var capabilityLists = func() [8][]numberpool.Capability {
	var lists [8][]numberpool.Capability
	for set := range lists {
		lists[set] = []numberpool.Capability{}
		for _, cb := range capabilityBits {
			if capabilitySet(set)&cb.bit != 0 {
				lists[set] = append(lists[set], cb.capability)
			}
		}
	}
	return lists
}()

func (s capabilitySet) list() []numberpool.Capability {
	return capabilityLists[s&7]
}

// checkCapabilities parses a list such as "voice;sms". An empty value means
// a number with no capabilities.
func (v *validator) checkCapabilities(record []string, reject func(string)) capabilitySet {
	text := v.layout.field(record, colCapabilities)

	if text == "" {
		return 0
	}

	var set capabilitySet
	for rest, more := text, true; more; {
		var name string
		name, rest, more = strings.Cut(rest, ";")
		name = strings.TrimSpace(name)

		bit, ok := capabilityBit(name)
		switch {
		case name == "":
			reject(fmt.Sprintf("invalid capabilities %q: a capability between semicolons is empty; expected e.g. voice;sms", text))
			return 0
		case !ok:
			reject(fmt.Sprintf("invalid capabilities %q: unknown capability %q, expected voice, sms or mms", text, name))
			return 0
		case set&bit != 0:
			reject(fmt.Sprintf("invalid capabilities %q: %s is listed twice", text, name))
			return 0
		}
		set |= bit
	}
	return set
}

func capabilityBit(name string) (capabilitySet, bool) {
	for _, cb := range capabilityBits {
		if string(cb.capability) == name {
			return cb.bit, true
		}
	}
	return 0, false
}
