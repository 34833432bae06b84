package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// writeJSON sends v as JSON with status. It returns an error only when v
// cannot be encoded, before anything is written, so that the caller can still
// send an error response. A failed write means the client is gone, and
// nothing more can be sent.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	e := jsonEncoders.Get().(*jsonEncoder)
	defer e.release()
	if err := e.enc.Encode(v); err != nil {
		return fmt.Errorf("encode %T response: %w", v, err)
	}
	writeRaw(w, status, e.body.Bytes())
	return nil
}

// jsonEncoder is an encoder with the buffer it writes to, reused across
// responses through jsonEncoders.
type jsonEncoder struct {
	body bytes.Buffer
	enc  *json.Encoder
}

// maxPooledBody bounds the buffers kept for reuse, so that one large list
// does not keep its memory for the life of the process.
const maxPooledBody = 64 << 10

var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.body)
	// Messages such as "Bearer <key>" stay readable. HTML escaping guards
	// JSON embedded in HTML pages, which API responses are not.
	e.enc.SetEscapeHTML(false)
	return e
}}

// release returns e to the pool. The response writer has copied the body
// by then, so the buffer is free to reuse.
func (e *jsonEncoder) release() {
	if e.body.Cap() > maxPooledBody {
		return
	}
	e.body.Reset()
	jsonEncoders.Put(e)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
