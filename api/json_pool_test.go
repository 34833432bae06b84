package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteJSONReusedBuffer writes a long body, then short ones, and wants
// each response to carry its own JSON only, whatever buffer it reused.
func TestWriteJSONReusedBuffer(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"long", map[string]string{"message": strings.Repeat("x", 300)}, `{"message":"` + strings.Repeat("x", 300) + `"}` + "\n"},
		{"short", map[string]int{"n": 1}, `{"n":1}` + "\n"},
		{"unescaped", map[string]string{"message": "Bearer <key>"}, `{"message":"Bearer <key>"}` + "\n"},
		{"too large to keep", strings.Repeat("y", maxPooledBody+1), `"` + strings.Repeat("y", maxPooledBody+1) + `"` + "\n"},
		{"after large", []int{}, "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := writeJSON(rec, http.StatusOK, tt.value); err != nil {
				t.Fatalf("writeJSON: %v", err)
			}
			if d := cmp.Diff(tt.want, rec.Body.String()); d != "" {
				t.Errorf("body (-want +got):\n%s", d)
			}
		})
	}
}

// TestWriteJSONFailedEncode checks that a value that cannot be encoded
// writes nothing and leaves no bytes behind for the next response.
func TestWriteJSONFailedEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := writeJSON(rec, http.StatusOK, []any{"first", func() {}}); err == nil {
		t.Fatal("writeJSON of a func: no error, want one")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("body after a failed encode = %q, want empty", rec.Body.String())
	}

	rec = httptest.NewRecorder()
	if err := writeJSON(rec, http.StatusOK, "next"); err != nil {
		t.Fatalf("writeJSON: %v", err)
	}
	if got := rec.Body.String(); got != "\"next\"\n" {
		t.Errorf("body = %q, want %q", got, "\"next\"\n")
	}
}
