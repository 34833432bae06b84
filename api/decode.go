package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"numberpool"
)

// NOTE: Go 1.26's encoding/json/v2, which rejects duplicate names and
// matches them case-sensitively, needs GOEXPERIMENT=jsonv2, so these checks
// are made on the tokens of encoding/json.

// decodeObject decodes a request body that must be one JSON object into v, a
// pointer to a struct. Before decoding, it checks the whole document: valid
// UTF-8, field names spelled exactly as v's json tags and given once, no
// unknown field, and no control character in any string. Every string of a
// request is a name, an id, a URI or an enumerated value. fields lists
// the accepted fields for messages. Every failure is a VALIDATION_FAILED
// naming the field at fault, or "body", and never a Go type.
func decodeObject(body io.Reader, v any, fields string) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err) // a body past the limit becomes 400
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return numberpool.Validation("body", "must be a JSON object",
			"missing request body: expected a JSON object with %s", fields)
	}
	if !utf8.Valid(data) {
		return numberpool.Validation("body", "must be valid UTF-8",
			"invalid request body: it is not valid UTF-8 text")
	}

	c := &bodyChecker{dec: json.NewDecoder(bytes.NewReader(data)), fields: fields}
	c.dec.UseNumber()
	if err := c.checkTop(reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	if _, err := c.dec.Token(); err != io.EOF {
		return numberpool.Validation("body", "must be one JSON object",
			"invalid request body: expected one JSON object and nothing after it")
	}

	if err := json.Unmarshal(data, v); err != nil {
		return decodeFailure(err)
	}
	return nil
}

// bodyChecker walks the tokens of a request body beside the Go type that it
// decodes into.
type bodyChecker struct {
	dec    *json.Decoder
	fields string
}

// checkTop checks that the document is a JSON object and then its contents.
func (c *bodyChecker) checkTop(t reflect.Type) error {
	tok, err := c.dec.Token()
	if err != nil {
		return syntaxFailure(err)
	}
	if tok != json.Delim('{') {
		return numberpool.Validation("body", "must be a JSON object",
			"invalid request body: expected a JSON object with %s, got %s", c.fields, tokenKind(tok))
	}
	return c.checkObject(t, "")
}

// checkValue checks the value that starts with tok, at path, decoded into t.
// t is nil where the type does not constrain the value, such as any.
func (c *bodyChecker) checkValue(tok json.Token, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '[' {
			return c.checkArray(elemType(t), path)
		}
		return c.checkObject(t, path)
	case string:
		if i := strings.IndexFunc(tok, isControl); i >= 0 {
			return numberpool.Validation(path, "must not contain control characters",
				"invalid %s: it contains the control character %U", path, []rune(tok[i:])[0])
		}
	}
	return nil
}

// checkObject checks the members of an object whose '{' has been read.
// The names of a struct's object must be its json tags, exactly and once.
func (c *bodyChecker) checkObject(t reflect.Type, path string) error {
	var known map[string]reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		known = jsonFields(t)
	}
	seen := make(map[string]bool)
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return syntaxFailure(err)
		}
		name := tok.(string) // the decoder returns only strings as names
		field := joinPath(path, name)
		if err := c.checkName(name, field, known, seen); err != nil {
			return err
		}

		if tok, err = c.dec.Token(); err != nil {
			return syntaxFailure(err)
		}
		if err := c.checkValue(tok, known[name], field); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // the closing '}'
	return syntaxFailure(err)
}

func (c *bodyChecker) checkName(name, field string, known map[string]reflect.Type, seen map[string]bool) error {
	if strings.IndexFunc(name, isControl) >= 0 {
		return numberpool.Validation("body", "must not contain control characters",
			"invalid field name %q: it contains a control character", shorten(name))
	}
	if seen[name] {
		return numberpool.Validation(field, "is given more than once",
			"duplicate field %q: give each field once", shorten(field))
	}
	seen[name] = true
	if _, ok := known[name]; known != nil && !ok {
		return numberpool.Validation(field, "is not a field of this request",
			"unknown field %q: the request takes %s", shorten(field), c.fields)
	}
	return nil
}

// checkArray checks the elements of an array whose '[' has been read.
func (c *bodyChecker) checkArray(elem reflect.Type, path string) error {
	for i := 0; c.dec.More(); i++ {
		tok, err := c.dec.Token()
		if err != nil {
			return syntaxFailure(err)
		}
		if err := c.checkValue(tok, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // the closing ']'
	return syntaxFailure(err)
}

// jsonFields maps the json names of the exported fields of struct type t to
// their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

func elemType(t reflect.Type) reflect.Type {
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		return t.Elem()
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// isControl reports whether r is a C0 control character or DEL, which no
// name, id or URI of a request contains.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// tokenKind names the JSON type that tok starts.
func tokenKind(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '[' {
			return "a JSON array"
		}
		return "a JSON object"
	case string:
		return "a JSON string"
	case json.Number:
		return "a JSON number"
	case bool:
		return "a JSON boolean"
	}
	return "null"
}

// syntaxFailure turns a token error into VALIDATION_FAILED, or returns nil.
func syntaxFailure(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return numberpool.Validation("body", "must be a JSON object",
			"invalid JSON in request body: it ends before the object is complete")
	}
	return numberpool.Validation("body", "must be a JSON object",
		"invalid JSON in request body: %s", shorten(strings.TrimPrefix(err.Error(), "json: ")))
}

// decodeFailure turns an error of json.Unmarshal on a checked document into
// VALIDATION_FAILED. Names and structure are checked already, so it is a
// value of the wrong JSON type.
func decodeFailure(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		expected := jsonKind(typeErr.Type)
		return numberpool.Validation(typeErr.Field, "must be a JSON "+expected,
			"invalid %s: expected a JSON %s, got a JSON %s", typeErr.Field, expected, typeErr.Value)
	}
	return numberpool.Validation("body", "must be a JSON object",
		"invalid request body: expected a JSON object that matches the request's fields")
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "array of strings"
		}
		return "array"
	}
	return "object"
}
