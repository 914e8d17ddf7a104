package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dotted paths name a value inside a JSON document: "result.items", "address.commune.name",
// "items.0.id" (a number indexes an array). Keys that themselves contain a dot cannot be named.

// checkPath reports what is wrong with a dotted path; "" is the document itself and is valid.
func checkPath(path string) error {
	if path == "" {
		return nil
	}
	if strings.TrimSpace(path) != path {
		return errors.New("must not start or end with spaces")
	}
	for _, seg := range strings.Split(path, ".") {
		if seg == "" {
			return errors.New("has an empty segment (two dots, or a dot at an end)")
		}
	}
	return nil
}

// lookupPath returns the value at path inside v, decoded by decodeJSON; ok is false when a
// segment is missing or v has no members to look into. A JSON null found is a value.
func lookupPath(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, seg := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[seg]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// decodeJSON decodes exactly one JSON value, keeping numbers in their literal form.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// canonicalJSON is the compact form of v with object keys sorted and no HTML escaping, so
// the same data always gives the same bytes whatever spacing and key order the API used.
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonText is v as an officer reads it: strings as they are, numbers in their JSON literal
// form, booleans as true/false, null as "", objects and arrays as canonical compact JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, err := canonicalJSON(x)
		if err != nil { // cannot happen for decoded JSON
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// jsonKind names the JSON type of v for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
