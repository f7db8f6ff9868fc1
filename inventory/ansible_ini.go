package inventory

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// parseAnsibleINI reads an Ansible INI inventory: host lines ("name
// [key=value ...]", "name:port"), before any section in "ungrouped";
// "[group]" sections of host lines, "[group:vars]" of key=value lines and
// "[group:children]" of group names. Comments start with # or ;.
func parseAnsibleINI(d *decoder, path string, src []byte) *ansibleDoc {
	doc := &ansibleDoc{}
	section, kind := groupUngrouped, "hosts"
	sectionRng := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
	offset := 0
	for i, raw := range strings.SplitAfter(string(src), "\n") {
		lineNo := i + 1
		lineStart := offset
		offset += len(raw)
		line := strings.TrimRight(raw, "\r\n")
		if kind != "hosts" && !strings.HasPrefix(strings.TrimSpace(line), "[") {
			line = withoutComment(line)
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		at := func(from, to int) hcl.Range {
			return hcl.Range{Filename: path,
				Start: hcl.Pos{Line: lineNo, Column: utf8.RuneCountInString(line[:from]) + 1, Byte: lineStart + from},
				End:   hcl.Pos{Line: lineNo, Column: utf8.RuneCountInString(line[:to]) + 1, Byte: lineStart + to}}
		}
		if strings.HasPrefix(trimmed, "[") {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				d.errorf(at(indent, len(line)), "Invalid section", "A section header is [group], [group:vars] or [group:children].")
				section, kind = "", ""
				continue
			}
			name, suffix, _ := strings.Cut(trimmed[1:end], ":")
			sectionRng = at(indent+1, indent+1+len(name))
			switch suffix {
			case "", "hosts":
				kind = "hosts"
			case "vars", "children":
				kind = suffix
			default:
				d.errorf(at(indent, indent+end+1), "Invalid section",
					"[%s] is not a section Ansible knows: use [%s], [%s:vars] or [%s:children].", trimmed[1:end], name, name, name)
				section, kind = "", ""
				continue
			}
			section = name
			doc.group(section, sectionRng)
			continue
		}
		if section == "" {
			continue // under a section reported above
		}
		g := doc.group(section, sectionRng)
		switch kind {
		case "children":
			g.children = append(g.children, ansibleHostRef{name: trimmed, rng: at(indent, indent+len(trimmed))})
		case "vars":
			key, value, ok := strings.Cut(trimmed, "=")
			if !ok {
				d.errorf(at(indent, len(line)), "Invalid variable", "A line of [%s:vars] is name=value.", section)
				continue
			}
			key = strings.TrimSpace(key)
			vstart := indent + strings.Index(trimmed, "=") + 1
			value = strings.TrimSpace(value)
			vstart += strings.Index(line[vstart:], value)
			g.vars[key] = iniVar(unquote(value), at(vstart, vstart+len(value)))
		default:
			fields, ok := splitHostLine(line)
			if !ok {
				d.errorf(at(indent, len(line)), "Invalid host line", "A host line has an unterminated quote.")
				continue
			}
			if len(fields) == 0 {
				continue
			}
			host := fields[0]
			hostRng := at(host.start, host.end)
			name := host.text
			vars := map[string]ansibleVar{}
			// name:port sets the port, unless it is an IPv6 address.
			if i := strings.LastIndexByte(name, ':'); i > 0 && strings.Count(name, ":") == 1 {
				if _, err := strconv.Atoi(name[i+1:]); err == nil {
					vars["ansible_port"] = ansibleVar{value: name[i+1:], rng: hostRng}
					name = name[:i]
				}
			}
			for _, f := range fields[1:] {
				key, value, ok := strings.Cut(f.text, "=")
				if !ok || key == "" {
					d.errorf(at(f.start, f.end), "Invalid host variable", "%q is not name=value.", f.text)
					continue
				}
				vs := f.start + len(key) + 1
				vars[key] = iniVar(value, at(vs, f.end))
			}
			names, ok := expandHostPattern(name)
			if !ok {
				d.errorf(hostRng, "Invalid host pattern", "%q is not a host name or a range such as ex[01:03].corp.example.com.", name)
				continue
			}
			for _, n := range names {
				g.hosts = append(g.hosts, ansibleHostRef{name: n, vars: vars, rng: hostRng})
			}
		}
	}
	return doc
}

// iniVar is a variable of an INI file; a value of several words in a
// list or dictionary syntax is complex.
func iniVar(value string, rng hcl.Range) ansibleVar {
	v := ansibleVar{value: value, rng: rng}
	switch {
	case strings.HasPrefix(value, "$ANSIBLE_VAULT"):
		v.kind = varVault
	case strings.Contains(value, "{{") || strings.Contains(value, "{%"):
		v.kind = varTemplate
	case strings.HasPrefix(value, "[") || strings.HasPrefix(value, "{"):
		v.kind = varComplex
	}
	return v
}

// unquote removes one pair of matching quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// field is one word of a host line, unquoted, with its byte span in the
// line.
type field struct {
	text       string
	start, end int
}

// splitHostLine splits a host line into words as a shell would (quotes
// group, a # after a space starts a comment), keeping each word's span.
func splitHostLine(line string) ([]field, bool) {
	var out []field
	var cur strings.Builder
	start, inWord := 0, false
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			if !inWord {
				start, inWord = i, true
			}
			quote = c
		case c == ' ' || c == '\t':
			if inWord {
				out = append(out, field{cur.String(), start, i})
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return out, true
		default:
			if !inWord {
				start, inWord = i, true
			}
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, false
	}
	if inWord {
		out = append(out, field{cur.String(), start, len(line)})
	}
	return out, true
}

// expandHostPattern expands Ansible's host ranges: ex[01:03] gives ex01,
// ex02 and ex03 (numbers keep their width), db-[a:c] gives db-a to db-c,
// and [1:9:2] steps by 2. A name without brackets is itself.
func expandHostPattern(p string) ([]string, bool) {
	open := strings.IndexByte(p, '[')
	if open < 0 {
		if p == "" || strings.ContainsAny(p, "] \t") {
			return nil, false
		}
		return []string{p}, true
	}
	closeAt := strings.IndexByte(p[open:], ']')
	if closeAt < 0 {
		return nil, false
	}
	closeAt += open
	parts := strings.Split(p[open+1:closeAt], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, false
	}
	step := 1
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return nil, false
		}
		step = n
	}
	rest, ok := expandHostPattern(p[closeAt+1:])
	if !ok && p[closeAt+1:] != "" {
		return nil, false
	}
	if p[closeAt+1:] == "" {
		rest = []string{""}
	}
	var values []string
	lo, errLo := strconv.Atoi(parts[0])
	hi, errHi := strconv.Atoi(parts[1])
	switch {
	case errLo == nil && errHi == nil:
		if hi < lo || (hi-lo)/step > 10000 {
			return nil, false
		}
		width := 0
		if strings.HasPrefix(parts[0], "0") {
			width = len(parts[0])
		}
		for n := lo; n <= hi; n += step {
			values = append(values, padded(n, width))
		}
	case len(parts[0]) == 1 && len(parts[1]) == 1 && parts[0] <= parts[1] &&
		(isLower(parts[0][0]) && isLower(parts[1][0]) || isUpper(parts[0][0]) && isUpper(parts[1][0])):
		for c := parts[0][0]; c <= parts[1][0]; c += byte(step) {
			values = append(values, string(c))
			if int(c)+step > 255 {
				break
			}
		}
	default:
		return nil, false
	}
	var out []string
	for _, v := range values {
		for _, r := range rest {
			out = append(out, p[:open]+v+r)
		}
	}
	return out, true
}

func padded(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// withoutComment cuts a comment (" #" or " ;" outside quotes) off a line
// of a vars or children section.
func withoutComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case (c == '#' || c == ';') && i > 0 && (line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimRight(line[:i], " \t")
		}
	}
	return line
}
