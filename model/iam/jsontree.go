package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jnode is one JSON value with the byte offset where it starts, so that semantic errors
// found after decoding can still point at a line and column.
type jnode struct {
	kind    jkind
	off     int      // byte offset of the value's first character
	str     string   // jString; the literal text for jNumber
	boolean bool     // jBool
	keys    []string // jObject, in document order
	keyOffs []int    // jObject: offset of each key
	elems   []*jnode // jObject values (parallel to keys) or jArray elements
}

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// parseTree decodes data into a tree of jnodes. Syntax errors (including the trailing
// commas AWS rejects) come back as a *PolicyError with the offending position.
func parseTree(data []byte) (*jnode, error) {
	// json.Unmarshal validates the whole input first and reports the exact offset of the
	// first bad byte; the token decoder below does not always do so, so check here.
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			msg := se.Error()
			off := int(se.Offset) - 1 // Offset counts the bytes read, including the bad one
			if off < 0 || strings.Contains(msg, "unexpected end") {
				off = len(data)
			}
			return nil, newError(data, off, "", "malformed JSON: %s", msg)
		}
		return nil, newError(data, 0, "", "malformed JSON: %v", err)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	t := &treeReader{data: data, dec: d}
	n, err := t.value()
	if err != nil {
		return nil, err
	}
	return n, nil
}

type treeReader struct {
	data []byte
	dec  *json.Decoder
}

// next returns the next token and the offset where it starts: InputOffset is the end of the
// previous token, so skip whitespace and the ':' / ',' separators the decoder swallows.
func (t *treeReader) next() (json.Token, int, error) {
	off := int(t.dec.InputOffset())
	for off < len(t.data) {
		c := t.data[off]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == ',' {
			off++
			continue
		}
		break
	}
	tok, err := t.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, off, newError(t.data, off, "", "malformed JSON: %v", err)
	}
	return tok, off, nil
}

func (t *treeReader) value() (*jnode, error) {
	tok, off, err := t.next()
	if err != nil {
		return nil, err
	}
	return t.valueFrom(tok, off)
}

func (t *treeReader) valueFrom(tok json.Token, off int) (*jnode, error) {
	n := &jnode{off: off}
	switch v := tok.(type) {
	case nil:
		n.kind = jNull
	case bool:
		n.kind, n.boolean = jBool, v
	case json.Number:
		n.kind, n.str = jNumber, string(v)
	case string:
		n.kind, n.str = jString, v
	case json.Delim:
		switch v {
		case '[':
			n.kind = jArray
			for {
				tok, off, err := t.next()
				if err != nil {
					return nil, err
				}
				if d, ok := tok.(json.Delim); ok && d == ']' {
					return n, nil
				}
				e, err := t.valueFrom(tok, off)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
			}
		case '{':
			n.kind = jObject
			for {
				tok, koff, err := t.next()
				if err != nil {
					return nil, err
				}
				if d, ok := tok.(json.Delim); ok && d == '}' {
					return n, nil
				}
				key, ok := tok.(string)
				if !ok {
					return nil, newError(t.data, koff, "", "malformed JSON: object key is not a string")
				}
				e, err := t.value()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.keyOffs = append(n.keyOffs, koff)
				n.elems = append(n.elems, e)
			}
		default:
			return nil, newError(t.data, off, "", "malformed JSON: unexpected %q", rune(v))
		}
	default:
		return nil, newError(t.data, off, "", "malformed JSON: unexpected token %v", fmt.Sprint(tok))
	}
	return n, nil
}
