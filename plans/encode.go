package plans

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// instancesMarker is how the canonical encoding of a plan without
// instances holds their place. No string can hold it (a quote inside a
// string is escaped), and no field after Instances is an object with an
// instances key, so its last occurrence is the plan's own.
const instancesMarker = `"instances":[]`

// encodeTo writes the canonical encoding of p to w, byte for byte what
// json.Marshal(p) returns, but one instance at a time: a plan of
// thousands of hosts never exists as one buffer (and its copies as the
// buffer grows) on its way to a digest or a file.
func encodeTo(w io.Writer, p *Plan) error {
	shallow := *p
	if shallow.Instances != nil {
		shallow.Instances = []Instance{}
	}
	skeleton, err := json.Marshal(&shallow)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if p.Instances == nil {
		_, err := w.Write(skeleton) // "instances":null, as json.Marshal writes it
		return err
	}
	at := bytes.LastIndex(skeleton, []byte(instancesMarker))
	if at < 0 {
		return errors.New("encode plan: no place for the instances in its encoding")
	}
	at += len(instancesMarker) - 1 // at the closing bracket
	if _, err := w.Write(skeleton[:at]); err != nil {
		return err
	}
	for i := range p.Instances {
		b, err := json.Marshal(&p.Instances[i])
		if err != nil {
			return fmt.Errorf("encode plan: instance %s: %w", p.Instances[i].Address, err)
		}
		if i > 0 {
			if _, err := w.Write([]byte{','}); err != nil {
				return err
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err = w.Write(skeleton[at:])
	return err
}

// digestOf returns the sha256 of p's canonical encoding, in the form plan
// files record it.
func digestOf(p *Plan) (string, error) {
	h := sha256.New()
	if err := encodeTo(h, p); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// writeFile writes p as a plan file to w: json.MarshalIndent's layout of
// a file value (two spaces a level) and a final newline, streamed.
func writeFile(w io.Writer, p *Plan) error {
	digest, err := digestOf(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\n  \"format_version\": %d,\n  \"digest\": %q,\n  \"plan\": ", p.FormatVersion, digest)
	if err := encodeTo(&indenter{w: bw, prefix: "  ", indent: "  "}, p); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// indenter indents the compact JSON written to it as json.Indent does,
// without holding the document: each level on lines of its own, prefix
// before every new line, empty objects and arrays kept as {} and [].
type indenter struct {
	w              *bufio.Writer
	prefix, indent string
	depth          int
	// open is set after { or [ until the next byte says whether the
	// value is empty.
	open          bool
	inString, esc bool
}

// Write implements io.Writer.
func (d *indenter) Write(p []byte) (int, error) {
	for _, c := range p {
		if d.inString {
			d.w.WriteByte(c)
			switch {
			case d.esc:
				d.esc = false
			case c == '\\':
				d.esc = true
			case c == '"':
				d.inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		if d.open && c != '}' && c != ']' {
			d.open = false
			d.depth++
			d.newline()
		}
		switch c {
		case '"':
			d.inString = true
			d.w.WriteByte(c)
		case '{', '[':
			d.open = true
			d.w.WriteByte(c)
		case ',':
			d.w.WriteByte(c)
			d.newline()
		case ':':
			d.w.WriteByte(c)
			d.w.WriteByte(' ')
		case '}', ']':
			if d.open {
				d.open = false
			} else {
				d.depth--
				d.newline()
			}
			d.w.WriteByte(c)
		default:
			d.w.WriteByte(c)
		}
	}
	return len(p), nil
}

func (d *indenter) newline() {
	d.w.WriteByte('\n')
	d.w.WriteString(d.prefix)
	for range d.depth {
		d.w.WriteString(d.indent)
	}
}
