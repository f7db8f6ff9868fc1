package inventory

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"go.yaml.in/yaml/v3"
)

// yamlReader reads an Ansible YAML inventory: a mapping of groups, each
// with hosts (a mapping of host names to their variables), vars and
// children (a mapping of groups).
type yamlReader struct {
	d    *decoder
	path string
	src  []byte
	// lineStarts are the byte offsets of the lines, for ranges.
	lineStarts []int
	doc        *ansibleDoc
}

func parseAnsibleYAML(d *decoder, path string, src []byte) *ansibleDoc {
	r := &yamlReader{d: d, path: path, src: src, doc: &ansibleDoc{}}
	r.lineStarts = []int{0}
	for i, b := range src {
		if b == '\n' {
			r.lineStarts = append(r.lineStarts, i+1)
		}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		line := 0
		msg := err.Error()
		if n, rest, ok := strings.Cut(strings.TrimPrefix(msg, "yaml: "), ": "); ok && strings.HasPrefix(n, "line ") {
			fmt.Sscanf(n, "line %d", &line)
			msg = rest
		}
		rng := hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos}
		if line > 0 {
			rng = r.lineRange(line)
		}
		d.errorf(rng, "Invalid YAML", "The inventory is not valid YAML: %s.", strings.TrimSuffix(msg, "."))
		return nil
	}
	if len(root.Content) == 0 {
		return r.doc
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		r.d.errorf(r.rng(top), "Invalid Ansible inventory", "An Ansible YAML inventory is a mapping of groups, such as all:, each with hosts:, vars: and children:.")
		return nil
	}
	r.groups(top)
	return r.doc
}

// rng is the range of a node's value.
func (r *yamlReader) rng(n *yaml.Node) hcl.Range {
	start := r.pos(n.Line, n.Column)
	end := start
	if n.Kind == yaml.ScalarNode && n.Style == 0 {
		end = r.advance(start, n.Value)
	}
	return hcl.Range{Filename: r.path, Start: start, End: end}
}

// lineRange is the range of a whole line.
func (r *yamlReader) lineRange(line int) hcl.Range {
	start := r.pos(line, 1)
	end := start
	if line-1 < len(r.lineStarts) {
		stop := len(r.src)
		if line < len(r.lineStarts) {
			stop = r.lineStarts[line] - 1
		}
		end = r.advance(start, string(r.src[start.Byte:max(stop, start.Byte)]))
	}
	return hcl.Range{Filename: r.path, Start: start, End: end}
}

// pos converts a line and a column (in characters, from 1) to a position.
func (r *yamlReader) pos(line, col int) hcl.Pos {
	if line < 1 || line > len(r.lineStarts) {
		return hcl.Pos{Line: max(line, 1), Column: max(col, 1), Byte: len(r.src)}
	}
	b := r.lineStarts[line-1]
	for c := 1; c < col && b < len(r.src) && r.src[b] != '\n'; c++ {
		_, size := utf8.DecodeRune(r.src[b:])
		b += size
	}
	return hcl.Pos{Line: line, Column: col, Byte: b}
}

// advance returns the position after text written on one line from p.
func (r *yamlReader) advance(p hcl.Pos, text string) hcl.Pos {
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	return hcl.Pos{Line: p.Line, Column: p.Column + utf8.RuneCountInString(text), Byte: p.Byte + len(text)}
}

// pairs returns a mapping's keys and values; a null (an empty entry such
// as "hosts:") is an empty mapping.
func (r *yamlReader) pairs(n *yaml.Node, what string) [][2]*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		r.d.errorf(r.rng(n), "Invalid Ansible inventory", "%s must be a mapping.", what)
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

// groups reads a mapping of group names to group bodies.
func (r *yamlReader) groups(n *yaml.Node) {
	for _, kv := range r.pairs(n, "The inventory") {
		r.group(kv[0], kv[1])
	}
}

func (r *yamlReader) group(key, body *yaml.Node) {
	g := r.doc.group(key.Value, r.rng(key))
	for _, kv := range r.pairs(body, fmt.Sprintf("Group %q", key.Value)) {
		switch kv[0].Value {
		case "hosts":
			for _, h := range r.pairs(kv[1], fmt.Sprintf("The hosts of group %q", key.Value)) {
				names, ok := expandHostPattern(h[0].Value)
				if !ok {
					r.d.errorf(r.rng(h[0]), "Invalid host pattern", "%q is not a host name or a range such as ex[01:03].corp.example.com.", h[0].Value)
					continue
				}
				vars := r.vars(h[1], fmt.Sprintf("The variables of host %q", h[0].Value))
				for _, name := range names {
					g.hosts = append(g.hosts, ansibleHostRef{name: name, vars: vars, rng: r.rng(h[0])})
				}
			}
		case "vars":
			for k, v := range r.vars(kv[1], fmt.Sprintf("The vars of group %q", key.Value)) {
				g.vars[k] = v
			}
		case "children":
			for _, c := range r.pairs(kv[1], fmt.Sprintf("The children of group %q", key.Value)) {
				g.children = append(g.children, ansibleHostRef{name: c[0].Value, rng: r.rng(c[0])})
				r.group(c[0], c[1])
			}
		default:
			r.d.errorf(r.rng(kv[0]), "Unknown group entry",
				"Group %q has %q; a group holds hosts:, vars: and children:. (Is it a host or a group indented one level too far?)", key.Value, kv[0].Value)
		}
	}
}

// vars reads a mapping of variables.
func (r *yamlReader) vars(n *yaml.Node, what string) map[string]ansibleVar {
	out := map[string]ansibleVar{}
	for _, kv := range r.pairs(n, what) {
		v := kv[1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		av := ansibleVar{value: v.Value, rng: r.rng(v)}
		switch {
		case v.Tag == "!vault":
			av.kind = varVault
		case v.Kind != yaml.ScalarNode:
			av.kind = varComplex
		case v.Tag == "!!null":
			av.value = ""
		case strings.Contains(v.Value, "{{") || strings.Contains(v.Value, "{%"):
			av.kind = varTemplate
		}
		out[kv[0].Value] = av
	}
	return out
}
