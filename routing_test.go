package numberpool

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckSIPURI(t *testing.T) {
	valid := []string{
		"sip:pbx.example.com",
		"sip:pbx.example.com:5060",
		"SIP:pbx.example.com",
		"sips:pbx.example.com:5061",
		"sip:trunk@pbx.example.com",
		"sip:user:secret@pbx.example.com:5060",
		"sip:203.0.113.7",
		"sip:203.0.113.7:5080;transport=udp",
		"sip:[2001:db8::1]",
		"sip:[2001:db8::1]:5060;transport=tcp",
		"sip:pbx.example.com.",
	}
	for _, uri := range valid {
		if err := checkSIPURI("termination_uri", uri); err != nil {
			t.Errorf("checkSIPURI(%q) = %v, want nil", uri, err)
		}
	}

	invalid := []string{
		"", "pbx.example.com", "http://pbx.example.com", "sip:", "sip:@pbx.example.com",
		"sip:pbx.example.com:0", "sip:pbx.example.com:65536", "sip:pbx.example.com:port",
		"sip:pbx.example.com:+5060", "sip:pbx.example.com:", "sip:[::1]:", "sip:[pbx.example.com]:5060",
		"sip:2001:db8::1:5060", "sip:2001:db8::1", "sip:[::1]x", "sip:[203.0.113.7]",
		"sip:1.2.3.999", "sip:01.02.03.04:5060", "sip:0x7f000001", "sip:4294967295",
		"sip:pbx_example.com", "sip:-pbx.example.com", "sip:pbx..example.com", "sip:[2001:db8::1",
		"sip:" + strings.Repeat("a", 64) + ".example.com", "sip:" + strings.Repeat("a.", 1100) + "com",
	}
	for _, uri := range invalid {
		err := checkSIPURI("termination_uri", uri)
		if err == nil {
			t.Errorf("checkSIPURI(%q) = nil, want an error", uri)
			continue
		}
		if err.Code != CodeValidationFailed || err.Details[0].Field != "termination_uri" {
			t.Errorf("checkSIPURI(%q) = %+v, want VALIDATION_FAILED on termination_uri", uri, err)
		}
	}
}

func TestTrunkSpecValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   TrunkSpec
		fields []string // nil when valid
	}{
		{"minimal", TrunkSpec{Name: "Main", AuthType: AuthIP}, nil},
		{"full", TrunkSpec{Name: "Main", AuthType: AuthCredential, TerminationURI: "sip:pbx.example.com",
			OriginationURIs: []string{"sip:a.example.com", "sips:b.example.com"}, MaxChannels: 100}, nil},
		{"longest name", TrunkSpec{Name: strings.Repeat("é", 100), AuthType: AuthIP}, nil},
		{"name too long", TrunkSpec{Name: strings.Repeat("a", 101), AuthType: AuthIP}, []string{"name"}},
		{"name not UTF-8", TrunkSpec{Name: "\xff", AuthType: AuthIP}, []string{"name"}},
		{"auth type", TrunkSpec{Name: "Main", AuthType: "IP"}, []string{"auth_type"}},
		{"channels", TrunkSpec{Name: "Main", AuthType: AuthIP, MaxChannels: -1}, []string{"max_channels"}},
		{"channels too many", TrunkSpec{Name: "Main", AuthType: AuthIP, MaxChannels: 1 << 31}, []string{"max_channels"}},
		{"most origination URIs", TrunkSpec{Name: "Main", AuthType: AuthIP, OriginationURIs: sipURIs(20)}, nil},
		{"too many origination URIs", TrunkSpec{Name: "Main", AuthType: AuthIP, OriginationURIs: sipURIs(21)},
			[]string{"origination_uris"}},
		{"every field", TrunkSpec{Name: "", AuthType: "x", TerminationURI: "x", OriginationURIs: []string{"x"}, MaxChannels: -1},
			[]string{"name", "auth_type", "termination_uri", "origination_uris[0]", "max_channels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			err := spec.Validate()
			if d := cmp.Diff(tt.fields, detailFields(err)); d != "" {
				t.Errorf("Validate detail fields (-want +got):\n%s", d)
			}
			if spec.OriginationURIs == nil {
				t.Error("Validate left OriginationURIs nil, want an empty list")
			}
		})
	}
}

func sipURIs(count int) []string {
	uris := make([]string, count)
	for i := range uris {
		uris[i] = "sip:a.example.com"
	}
	return uris
}

func detailFields(err error) []string {
	if err == nil {
		return nil
	}
	var fields []string
	for _, d := range err.(*Error).Details {
		fields = append(fields, d.Field)
	}
	return fields
}

func TestApplicationSpecValidate(t *testing.T) {
	tests := []struct {
		name   string
		spec   ApplicationSpec
		fields []string
	}{
		{"minimal", ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com/answer"}, nil},
		{"full", ApplicationSpec{Name: "IVR", AnswerURL: "http://example.com:8080/a?x=1", AnswerMethod: "GET",
			HangupURL: "https://example.com/h", StatusCallbackURL: "https://[2001:db8::1]/s"}, nil},
		{"empty port", ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com:/answer"}, nil},
		{"no answer URL", ApplicationSpec{Name: "IVR"}, []string{"answer_url"}},
		{"answer numeric host", ApplicationSpec{Name: "IVR", AnswerURL: "https://0x7f000001/a"}, []string{"answer_url"}},
		{"answer scheme", ApplicationSpec{Name: "IVR", AnswerURL: "ftp://example.com"}, []string{"answer_url"}},
		{"answer relative", ApplicationSpec{Name: "IVR", AnswerURL: "/answer"}, []string{"answer_url"}},
		{"answer user info", ApplicationSpec{Name: "IVR", AnswerURL: "https://user:pw@example.com"}, []string{"answer_url"}},
		{"method", ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com", AnswerMethod: "post"}, []string{"answer_method"}},
		{"hangup", ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com", HangupURL: "example.com"}, []string{"hangup_url"}},
		{"callback", ApplicationSpec{Name: "IVR", AnswerURL: "https://example.com", StatusCallbackURL: "https://"},
			[]string{"status_callback_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			if d := cmp.Diff(tt.fields, detailFields(spec.Validate())); d != "" {
				t.Errorf("Validate detail fields (-want +got):\n%s", d)
			}
			if tt.spec.AnswerMethod == "" && spec.AnswerMethod != "POST" {
				t.Errorf("AnswerMethod = %q, want the default POST", spec.AnswerMethod)
			}
		})
	}
}

func TestNewIDs(t *testing.T) {
	trunk, app := NewTrunkID(), NewApplicationID()
	if !regexp.MustCompile(`^trunk_[0-9a-z]{12}$`).MatchString(trunk) {
		t.Errorf("NewTrunkID = %q, want trunk_ and 12 lower-case letters or digits", trunk)
	}
	if !regexp.MustCompile(`^app_[0-9a-z]{12}$`).MatchString(app) {
		t.Errorf("NewApplicationID = %q, want app_ and 12 lower-case letters or digits", app)
	}
	if NewTrunkID() == trunk {
		t.Error("two calls of NewTrunkID returned the same id")
	}
	if got := TrunkSIPDomain("trunk_4x5y6z", "sip.tryvox.io"); got != "trunk-4x5y6z.sip.tryvox.io" {
		t.Errorf("TrunkSIPDomain = %q, want trunk-4x5y6z.sip.tryvox.io", got)
	}
	if err := ValidateSIPDomain(TrunkSIPDomain(trunk, "sip.example.com")); err != nil {
		t.Errorf("the SIP domain of %s is not a valid host name: %v", trunk, err)
	}
}

func TestRouteWarnings(t *testing.T) {
	route, ok := RouteOf(Number{TrunkID: "trunk_4x5y6z"})
	if !ok || route != (Route{Kind: RouteTrunk, ID: "trunk_4x5y6z"}) {
		t.Fatalf("RouteOf = %+v, %t, want the trunk", route, ok)
	}
	if got, want := route.Warning(), "routes to trunk trunk_4x5y6z; releasing removes the assignment"; got != want {
		t.Errorf("Warning without a name = %q, want %q", got, want)
	}
	route.Name = "Main SIP trunk"
	if got, want := route.Warning(), "routes to trunk trunk_4x5y6z (Main SIP trunk); releasing removes the assignment"; got != want {
		t.Errorf("Warning = %q, want %q", got, want)
	}
	app := Route{Kind: RouteApplication, ID: "app_xyz789"}
	want := "the assignment to application app_xyz789 was not restored because the application was deleted after the release"
	if got := app.RestoreWarning(); got != want {
		t.Errorf("RestoreWarning = %q, want %q", got, want)
	}
	if _, ok := RouteOf(Number{}); ok {
		t.Error("RouteOf of an unrouted number reports a route")
	}
}

func TestRoutedNumbersError(t *testing.T) {
	err := RoutedNumbersError(RouteTrunk, "trunk_a", []string{"+14155551234", "+14155551235"}, 250)
	if err.Code != CodeConflict {
		t.Errorf("code = %s, want CONFLICT", err.Code)
	}
	want := "trunk trunk_a cannot be deleted: 250 numbers still route to it (see details); unassign them first"
	if err.Message != want {
		t.Errorf("message = %q, want %q", err.Message, want)
	}
	wantDetails := []ErrorDetail{
		{Field: "e164", Reason: "+14155551234 routes to this trunk"},
		{Field: "e164", Reason: "+14155551235 routes to this trunk"},
	}
	if d := cmp.Diff(wantDetails, err.Details); d != "" {
		t.Errorf("details (-want +got):\n%s", d)
	}
}

func TestPageOffset(t *testing.T) {
	if got := (Page{Page: 3, PerPage: 20}).Offset(); got != 40 {
		t.Errorf("Offset of page 3 = %d, want 40", got)
	}
	if got := (Page{Page: 1 << 40, PerPage: 100}).Offset(); got != (1<<31-2)*100 {
		t.Errorf("Offset of a huge page = %d, want it capped at page 2^31-1", got)
	}
}
