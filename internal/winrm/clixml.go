package winrm

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// clixmlHeader starts standard error text that PowerShell serialized as
// CLIXML instead of writing it plainly.
const clixmlHeader = "#< CLIXML"

// streamPrefixes maps the CLIXML streams that are kept to the prefix
// PowerShell's console shows before their lines. Streams not listed
// (progress above all) are dropped.
var streamPrefixes = map[string]string{
	"error":       "",
	"warning":     "WARNING: ",
	"verbose":     "VERBOSE: ",
	"debug":       "DEBUG: ",
	"information": "",
}

// DecodeCLIXML turns standard error as PowerShell writes it over WinRM
// ("#< CLIXML" and one or more <Objs> documents) into the text a console
// would have shown: error records as they are, warning, verbose and debug
// records with their console prefixes, progress records dropped, _xHHHH_
// escapes decoded and line ends normalized to "\n". Text that is not CLIXML
// is returned unchanged; CLIXML that ends early keeps what was decoded and
// appends the undecodable rest as it is.
func DecodeCLIXML(stderr string) string {
	body, ok := strings.CutPrefix(strings.TrimPrefix(stderr, "\ufeff"), clixmlHeader)
	if !ok {
		return stderr
	}
	var out strings.Builder
	// A nested PowerShell writes a header of its own in the middle.
	for _, part := range strings.Split(body, clixmlHeader) {
		decodeObjs(&out, part)
	}
	return finish(out.String())
}

// decodeObjs decodes the <Objs> documents of one CLIXML part into out.
func decodeObjs(out *strings.Builder, body string) {
	dec := xml.NewDecoder(strings.NewReader(body))
	dec.Strict = false
	depth := 0
	for {
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			appendRecord(out, "", strings.TrimSpace(body[offset:]))
			return
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				appendRecord(out, "", strings.TrimSpace(string(t)))
			}
		case xml.StartElement:
			depth++
			if depth != 2 || t.Name.Local != "S" {
				continue
			}
			var text string
			if err := dec.DecodeElement(&text, &t); err != nil {
				appendRecord(out, "", strings.TrimSpace(body[offset:]))
				return
			}
			depth--
			prefix, keep := streamPrefixes[strings.ToLower(attr(t, "S"))]
			if !keep {
				continue
			}
			text = unescapeCLIXML(text)
			if prefix != "" {
				appendRecord(out, prefix, text)
			} else {
				out.WriteString(text)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// appendRecord writes a record on a line of its own.
func appendRecord(out *strings.Builder, prefix, text string) {
	if text == "" {
		return
	}
	if s := out.String(); s != "" && !strings.HasSuffix(s, "\n") {
		out.WriteByte('\n')
	}
	out.WriteString(prefix)
	out.WriteString(text)
	out.WriteByte('\n')
}

// finish normalizes line ends and drops trailing blank lines.
func finish(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\ufffd")
	}
	return s
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// unescapeCLIXML decodes PowerShell's _xHHHH_ escapes: each stands for one
// UTF-16 code unit, so characters outside the BMP arrive as two escapes
// (a surrogate pair), and a literal "_x" is written as "_x005F_x".
func unescapeCLIXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out bytes.Buffer
	var units []uint16
	flush := func() {
		if len(units) > 0 {
			out.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if u, ok := escapeAt(s, i); ok {
			units = append(units, u)
			i += 7
			continue
		}
		flush()
		out.WriteByte(s[i])
		i++
	}
	flush()
	return out.String()
}

// escapeAt reads an _xHHHH_ escape at s[i:].
func escapeAt(s string, i int) (uint16, bool) {
	if i+7 > len(s) || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range []byte(s[i+2 : i+6]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		u = u<<4 | uint16(d)
	}
	return u, true
}
