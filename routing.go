package numberpool

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AuthType is the method a trunk uses to authenticate the calls it sends.
type AuthType string

// The authentication types of a trunk.
const (
	AuthIP         AuthType = "ip"
	AuthCredential AuthType = "credential"
)

// TrunkStatusActive is the status of every trunk: a deleted trunk is gone
// from the API, so no other status is ever shown.
const TrunkStatusActive = "active"

// Limits of the fields a client sets on trunks and applications.
const (
	maxNameLength      = 100
	maxURILength       = 2048
	maxOriginationURIs = 20
	// maxChannels keeps max_channels within a 32-bit integer in every store.
	maxChannels = 1<<31 - 1
)

// ID prefixes and the count of random characters after them.
const (
	trunkIDPrefix       = "trunk_"
	applicationIDPrefix = "app_"
	idRandomLength      = 12
)

// TrunkSpec is the part of a trunk that its account sets, on create and on
// update alike.
type TrunkSpec struct {
	Name            string
	AuthType        AuthType
	TerminationURI  string   // a sip: or sips: URI, empty when not set
	OriginationURIs []string // sip: or sips: URIs, never nil once validated
	MaxChannels     int      // 0 means unlimited
}

// Trunk is a SIP trunk of an account, which numbers can route to.
type Trunk struct {
	TrunkSpec
	ID        string
	AccountID string
	// SIPDomain is fixed when the trunk is created, so that changing the
	// operator's domain never breaks a PBX configured with the old one.
	SIPDomain string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ApplicationSpec is the part of an application that its account sets.
type ApplicationSpec struct {
	Name              string
	AnswerURL         string // http or https
	AnswerMethod      string // GET or POST
	HangupURL         string // empty when not set
	StatusCallbackURL string // empty when not set
}

// Application is a voice application of an account: the URLs that the voice
// platform calls for the calls to a number routed to it.
type Application struct {
	ApplicationSpec
	ID        string
	AccountID string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Page selects one page of a list, as the numbers API pages: Page from 1,
// PerPage from 1 to 100.
type Page struct {
	Page    int
	PerPage int
}

// Offset returns the count of rows before the page, capped far from
// overflow: a page that large is past the end anyway.
func (p Page) Offset() int64 {
	return (int64(min(p.Page, 1<<31-1)) - 1) * int64(p.PerPage)
}

// RoutingStore keeps the trunks and applications of accounts and which of
// them each number routes to. A number routes to at most one of the two.
type RoutingStore interface {
	// CreateTrunk stores t, whose ID, AccountID, SIPDomain and validated spec
	// the caller sets, with the store clock's now as its times. It returns
	// NOT_FOUND when the account does not exist and CONFLICT when the id
	// is taken.
	CreateTrunk(ctx context.Context, t Trunk) (Trunk, error)
	// GetTrunk returns NOT_FOUND for a deleted trunk or one of another
	// account.
	GetTrunk(ctx context.Context, accountID, trunkID string) (Trunk, error)
	// ListTrunks returns one page of the account's trunks, oldest first, and
	// the total count.
	ListTrunks(ctx context.Context, accountID string, p Page) ([]Trunk, int, error)
	// UpdateTrunk replaces the spec of a trunk, or returns NOT_FOUND.
	UpdateTrunk(ctx context.Context, accountID, trunkID string, spec TrunkSpec) (Trunk, error)
	// DeleteTrunk returns NOT_FOUND, or CONFLICT listing the numbers that
	// still route to the trunk.
	DeleteTrunk(ctx context.Context, accountID, trunkID string) error

	// CreateApplication, GetApplication, ListApplications,
	// UpdateApplication and DeleteApplication do for applications what the
	// trunk methods do for trunks, with the same errors.
	CreateApplication(ctx context.Context, a Application) (Application, error)
	GetApplication(ctx context.Context, accountID, applicationID string) (Application, error)
	ListApplications(ctx context.Context, accountID string, p Page) ([]Application, int, error)
	UpdateApplication(ctx context.Context, accountID, applicationID string, spec ApplicationSpec) (Application, error)
	DeleteApplication(ctx context.Context, accountID, applicationID string) error

	// AssignTrunk routes the active number e164 to the trunk and clears its
	// application. It returns NOT_FOUND for a number or trunk the account
	// does not hold, and CONFLICT when the number is released.
	AssignTrunk(ctx context.Context, accountID, e164, trunkID string) (Number, error)
	// AssignApplication is AssignTrunk for an application: it clears the
	// trunk.
	AssignApplication(ctx context.Context, accountID, e164, applicationID string) (Number, error)
	// UnassignTrunk and UnassignApplication clear the one assignment. They
	// succeed when there was none, and return NOT_FOUND or CONFLICT like
	// AssignTrunk.
	UnassignTrunk(ctx context.Context, accountID, e164 string) (Number, error)
	UnassignApplication(ctx context.Context, accountID, e164 string) (Number, error)
}

// Validate checks every field of a trunk and reports all invalid ones at
// once, one detail each. It sets a nil OriginationURIs to an empty list.
func (s *TrunkSpec) Validate() error {
	var errs validationErrors
	errs.check(checkName(s.Name))
	if s.AuthType != AuthIP && s.AuthType != AuthCredential {
		errs.add(Validation("auth_type", "must be ip or credential",
			"invalid auth_type %q: expected ip or credential", shortValue(string(s.AuthType))))
	}
	if s.TerminationURI != "" {
		errs.check(checkSIPURI("termination_uri", s.TerminationURI))
	}
	errs.check(checkOriginationURIs(s.OriginationURIs))
	if s.MaxChannels < 0 || s.MaxChannels > maxChannels {
		errs.add(Validation("max_channels", "must be 0 (unlimited) or more",
			"invalid max_channels %d: expected 0 for unlimited or a positive count up to %d", s.MaxChannels, maxChannels))
	}

	if s.OriginationURIs == nil {
		s.OriginationURIs = []string{}
	}
	return errs.err()
}

func checkOriginationURIs(uris []string) *Error {
	if len(uris) > maxOriginationURIs {
		return Validation("origination_uris", fmt.Sprintf("must hold at most %d URIs", maxOriginationURIs),
			"invalid origination_uris: %d URIs given, at most %d allowed", len(uris), maxOriginationURIs)
	}
	for i, uri := range uris {
		if err := checkSIPURI("origination_uris["+strconv.Itoa(i)+"]", uri); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks every field of an application and reports all invalid
// ones at once. An empty AnswerMethod becomes POST.
func (s *ApplicationSpec) Validate() error {
	if s.AnswerMethod == "" {
		s.AnswerMethod = "POST"
	}

	var errs validationErrors
	errs.check(checkName(s.Name))
	errs.check(checkHTTPURL("answer_url", s.AnswerURL, true))
	if s.AnswerMethod != "GET" && s.AnswerMethod != "POST" {
		errs.add(Validation("answer_method", "must be GET or POST",
			"invalid answer_method %q: expected GET or POST", shortValue(s.AnswerMethod)))
	}
	errs.check(checkHTTPURL("hangup_url", s.HangupURL, false))
	errs.check(checkHTTPURL("status_callback_url", s.StatusCallbackURL, false))
	return errs.err()
}

func checkName(name string) *Error {
	switch {
	case strings.TrimSpace(name) == "":
		return Validation("name", "is required", "missing name: give the trunk or application a name, e.g. Main SIP trunk")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameLength:
		return Validation("name", fmt.Sprintf("must be valid UTF-8 of at most %d characters", maxNameLength),
			"invalid name: expected valid UTF-8 of at most %d characters", maxNameLength)
	}
	return nil
}

// checkSIPURI accepts sip: and sips: URIs with an optional user part, a host
// name or IP address, an optional port and optional ;parameters, such as
// sip:pbx.example.com:5060 or sips:trunk@203.0.113.7;transport=tls.
func checkSIPURI(field, uri string) *Error {
	invalid := Validation(field, "must be a sip: URI such as sip:pbx.example.com:5060",
		"invalid %s %q: expected a sip: or sips: URI with a host, e.g. sip:pbx.example.com:5060", field, shortValue(uri))
	if len(uri) > maxURILength {
		return invalid
	}

	rest, ok := cutPrefixFold(uri, "sip:")
	if !ok {
		rest, ok = cutPrefixFold(uri, "sips:")
	}
	if !ok {
		return invalid
	}
	hostPort, _, _ := strings.Cut(rest, ";")
	if at := strings.LastIndexByte(hostPort, '@'); at >= 0 {
		if at == 0 {
			return invalid
		}
		hostPort = hostPort[at+1:]
	}
	if !validHostPort(hostPort) {
		return invalid
	}
	return nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// validHostPort accepts host, host:port, [IPv6] and [IPv6]:port, where host
// is a DNS name or an IPv4 address. An IPv6 address must be in brackets, as
// RFC 3261 and RFC 3986 write it, because its colons would make a port
// ambiguous. A colon must be followed by a port, as RFC 3261 requires;
// checkHTTPURL drops the empty port that RFC 3986 allows.
func validHostPort(s string) bool {
	host, port, hasPort := s, "", false
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		host, port, hasPort = s[1:end], "", false
		if after := s[end+1:]; after != "" {
			port, hasPort = strings.CutPrefix(after, ":")
			if !hasPort {
				return false
			}
		}
		ip := net.ParseIP(host)
		if ip == nil || ip.To4() != nil && !strings.Contains(host, ":") {
			return false
		}
	} else {
		host, port, hasPort = strings.Cut(s, ":")
		if strings.Contains(port, ":") {
			return false
		}
		if net.ParseIP(host) == nil && !validHostname(host) {
			return false
		}
	}

	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || !allDigits(port) || n < 1 || n > 65535 {
			return false
		}
	}
	return true
}

// validHostname checks the letters-digits-hyphens rule of DNS host names.
// A name whose last label is a number, such as 1.2.3.999 or 0x7f000001, is
// rejected: no top-level domain is numeric (RFC 3696), and many resolvers
// read such a name as an IPv4 address.
func validHostname(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := strings.ToLower(labels[len(labels)-1])
	if allDigits(last) || strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "" {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// checkHTTPURL accepts absolute http and https URLs with a host. Only the
// voice platform requests these URLs, never numberpool itself.
func checkHTTPURL(field, raw string, required bool) *Error {
	if raw == "" {
		if required {
			return Validation(field, "is required", "missing %s: give an http or https URL, e.g. https://example.com/answer", field)
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURILength || (u.Scheme != "http" && u.Scheme != "https") ||
		u.Host == "" || u.User != nil || !validHostPort(strings.TrimSuffix(u.Host, ":")) {
		return Validation(field, "must be an http or https URL with a host",
			"invalid %s %q: expected an http or https URL with a host, e.g. https://example.com/answer", field, shortValue(raw))
	}
	return nil
}

// shortValue cuts a client's value for an error message.
func shortValue(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:40] + "..."
}

// validationErrors collects the errors of several fields into one
// VALIDATION_FAILED error.
type validationErrors []*Error

func (v *validationErrors) add(e *Error) { *v = append(*v, e) }

func (v *validationErrors) check(e *Error) {
	if e != nil {
		v.add(e)
	}
}

func (v validationErrors) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return v[0]
	}
	merged := &Error{Code: CodeValidationFailed}
	messages := make([]string, 0, len(v))
	for _, e := range v {
		messages = append(messages, e.Message)
		merged.Details = append(merged.Details, e.Details...)
	}
	merged.Message = strings.Join(messages, "; ")
	return merged
}

// NewTrunkID returns "trunk_" and 12 random lower-case letters and digits,
// about 62 bits, so that the id also fits a DNS label of the SIP domain.
func NewTrunkID() string { return trunkIDPrefix + randomLowerAlnum(idRandomLength) }

// NewApplicationID returns "app_" and 12 random lower-case letters and
// digits.
func NewApplicationID() string { return applicationIDPrefix + randomLowerAlnum(idRandomLength) }

func randomLowerAlnum(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < n {
		rand.Read(buf)
		// 252 is the largest multiple of 36 below 256, so rejecting the
		// bytes from 252 up keeps every character equally likely.
		if buf[0] < 252 {
			b.WriteByte(alphabet[buf[0]%36])
		}
	}
	return b.String()
}

// ValidateSIPDomain checks the operator's domain under which trunks get
// their SIP domain: a DNS host name such as sip.example.com.
func ValidateSIPDomain(domain string) error {
	if !validHostname(domain) || strings.HasSuffix(domain, ".") {
		return Validation("sip_domain", "must be a host name such as sip.example.com",
			"invalid SIP domain %q: expected a host name such as sip.example.com", shortValue(domain))
	}
	return nil
}

// TrunkSIPDomain returns the SIP domain of a trunk under the operator's
// domain: trunk_4x5y6z under sip.tryvox.io is trunk-4x5y6z.sip.tryvox.io,
// because an underscore is not allowed in a host name.
func TrunkSIPDomain(trunkID, domain string) string {
	return strings.ReplaceAll(trunkID, "_", "-") + "." + domain
}

// RouteKind names what a number routes to.
type RouteKind string

// The kinds of route.
const (
	RouteTrunk       RouteKind = "trunk"
	RouteApplication RouteKind = "application"
)

// Route is the trunk or application a number routes to, with its name when
// it is known. A number imported with an id that no stored trunk has gets a
// route without a name.
type Route struct {
	Kind RouteKind
	ID   string
	Name string
}

// Warning returns the release preview's warning about the route, for
// example "routes to trunk trunk_4x5y6z (Main SIP trunk); releasing removes
// the assignment".
func (r Route) Warning() string {
	target := string(r.Kind) + " " + r.ID
	if r.Name != "" {
		target += " (" + r.Name + ")"
	}
	return "routes to " + target + "; releasing removes the assignment"
}

// RestoreWarning returns the cancel-release warning for an assignment that
// could not be restored because its trunk or application was deleted
// during the cooling-off period.
func (r Route) RestoreWarning() string {
	return fmt.Sprintf("the assignment to %s %s was not restored because the %s was deleted after the release",
		r.Kind, r.ID, r.Kind)
}

// RouteOf returns the route of n, or false when n routes nowhere.
func RouteOf(n Number) (Route, bool) {
	switch {
	case n.TrunkID != "":
		return Route{Kind: RouteTrunk, ID: n.TrunkID}, true
	case n.ApplicationID != "":
		return Route{Kind: RouteApplication, ID: n.ApplicationID}, true
	}
	return Route{}, false
}

// AddRouteWarning appends the warning of route to a preview of an active
// number. Assignments never block a release: the release removes them.
func AddRouteWarning(p Preview, route Route) Preview {
	p.Warnings = append(p.Warnings, route.Warning())
	return p
}

// RoutedNumbersError returns the CONFLICT of deleting a trunk or application
// that numbers still route to, with one detail per number. e164s holds at
// most a page of the numbers and total counts them all.
func RoutedNumbersError(kind RouteKind, id string, e164s []string, total int) *Error {
	details := make([]ErrorDetail, len(e164s))
	for i, e164 := range e164s {
		details[i] = ErrorDetail{Field: "e164", Reason: e164 + " routes to this " + string(kind)}
	}
	noun := "numbers still route"
	if total == 1 {
		noun = "number still routes"
	}
	return &Error{
		Code: CodeConflict,
		Message: fmt.Sprintf("%s %s cannot be deleted: %d %s to it (see details); unassign them first",
			kind, id, total, noun),
		Details: details,
	}
}
