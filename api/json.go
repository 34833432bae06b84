package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// writeJSON sends v as JSON with status. It returns an error only when v
// cannot be encoded, before anything is written, so that the caller can still
// send an error response. A failed write means the client is gone, and
// nothing more can be sent.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	// Messages such as "Bearer <key>" stay readable. HTML escaping guards
	// JSON embedded in HTML pages, which API responses are not.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %T response: %w", v, err)
	}
	writeRaw(w, status, body.Bytes())
	return nil
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
