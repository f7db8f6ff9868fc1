package lab

import (
	"fmt"
	"slices"
	"strings"
)

// reg answers "reg query <key> [/v <name>] [/s]" from the host's registry,
// in the layout of reg.exe: a blank line, the key's full name, each value
// indented as "    <name>    <REG_TYPE>    <data>", a blank line, then the
// full names of its subkeys (with /s, each subkey's own block in turn).
// Errors go to standard error with exit code 1 (pg-fl.jp, "Reg - DOS/
// Command Prompt Reference": exit codes 0 and 1, errors on STDERR); the
// layout and the order of values are unverified. Keys are named as
// reg.exe takes them (HKLM\..., HKEY_LOCAL_MACHINE\...), not as
// PowerShell paths (HKLM:\...).
func (o *Org) reg(h *Host, argv []string) (stdout, stderr string, code int) {
	if len(argv) == 0 || !strings.EqualFold(argv[0], "query") {
		return "", o.regText("invalidSyntax") + "\r\n" + o.regText("usage", "") + "\r\n", 1
	}
	if len(argv) < 2 || strings.HasPrefix(argv[1], "/") {
		return "", o.regText("invalidSyntax") + "\r\n" + o.regText("usage", " QUERY") + "\r\n", 1
	}
	key, ok := regKeyName(argv[1])
	if !ok {
		return "", o.regText("invalidKey") + "\r\n" + o.regText("usage", " QUERY") + "\r\n", 1
	}
	value, hasValue, recurse := "", false, false
	for i := 2; i < len(argv); i++ {
		switch strings.ToLower(argv[i]) {
		case "/v":
			if i+1 >= len(argv) {
				return "", o.regText("invalidSyntax") + "\r\n" + o.regText("usage", " QUERY") + "\r\n", 1
			}
			value, hasValue = argv[i+1], true
			i++
		case "/s":
			recurse = true
		default:
			return "", o.regText("invalidSyntax") + "\r\n" + o.regText("usage", " QUERY") + "\r\n", 1
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	k := h.reg.keys[strings.ToLower(key)]
	if k == nil {
		return "", o.regText("notFound") + "\r\n", 1
	}
	var b strings.Builder
	if hasValue {
		v, ok := k.values[strings.ToLower(value)]
		if !ok {
			return "", o.regText("notFound") + "\r\n", 1
		}
		fmt.Fprintf(&b, "\r\n%s\r\n%s\r\n\r\n", regDisplayName(k.path), regValueLine(k.names[strings.ToLower(value)], v))
		return b.String(), "", 0
	}
	matches := 0
	var walk func(k *registryKey)
	walk = func(k *registryKey) {
		matches += 1 + len(k.names)
		fmt.Fprintf(&b, "\r\n%s\r\n", regDisplayName(k.path))
		names := make([]string, 0, len(k.names))
		for folded := range k.names {
			names = append(names, folded)
		}
		slices.Sort(names)
		for _, folded := range names {
			fmt.Fprintf(&b, "%s\r\n", regValueLine(k.names[folded], k.values[folded]))
		}
		subs := h.reg.subkeys(k.path)
		if !recurse {
			if len(subs) > 0 {
				b.WriteString("\r\n")
			}
			for _, s := range subs {
				fmt.Fprintf(&b, "%s\r\n", regDisplayName(s.path))
			}
			return
		}
		for _, s := range subs {
			walk(s)
		}
	}
	walk(k)
	if recurse {
		fmt.Fprintf(&b, "\r\n%s\r\n", o.regText("endOfSearch", matches))
	}
	return b.String(), "", 0
}

// regText is one of reg.exe's sentences in the organisation's language.
func (o *Org) regText(id string, args ...any) string {
	return o.locale.text(toolReg, id, args...)
}

// regRoots are the root key names reg.exe takes, with the ones it prints.
var regRoots = map[string]struct{ short, long string }{
	"HKLM": {"HKLM", "HKEY_LOCAL_MACHINE"}, "HKEY_LOCAL_MACHINE": {"HKLM", "HKEY_LOCAL_MACHINE"},
	"HKCU": {"HKCU", "HKEY_CURRENT_USER"}, "HKEY_CURRENT_USER": {"HKCU", "HKEY_CURRENT_USER"},
	"HKCR": {"HKCR", "HKEY_CLASSES_ROOT"}, "HKEY_CLASSES_ROOT": {"HKCR", "HKEY_CLASSES_ROOT"},
	"HKU": {"HKU", "HKEY_USERS"}, "HKEY_USERS": {"HKU", "HKEY_USERS"},
	"HKCC": {"HKCC", "HKEY_CURRENT_CONFIG"}, "HKEY_CURRENT_CONFIG": {"HKCC", "HKEY_CURRENT_CONFIG"},
}

// regKeyName turns a key as reg.exe takes it into the lab's canonical
// path ("HKLM\SYSTEM\..."); ok is false for a name reg.exe refuses.
func regKeyName(name string) (string, bool) {
	name = strings.TrimSuffix(name, `\`)
	root, rest, _ := strings.Cut(name, `\`)
	r, ok := regRoots[strings.ToUpper(root)]
	if !ok {
		return "", false
	}
	if rest == "" {
		return r.short, true
	}
	return r.short + `\` + rest, true
}

// regDisplayName is a canonical path as reg.exe prints it, with the long
// root name.
func regDisplayName(path string) string {
	root, rest, found := strings.Cut(path, `\`)
	long := regRoots[root].long
	if long == "" {
		long = root
	}
	if !found {
		return long
	}
	return long + `\` + rest
}

// regValueLine is one value as reg query prints it.
func regValueLine(name string, v RegistryValue) string {
	typ, data := "REG_SZ", ""
	switch d := v.Data.(type) {
	case uint32:
		typ, data = "REG_DWORD", fmt.Sprintf("0x%x", d)
	case uint64:
		typ, data = "REG_QWORD", fmt.Sprintf("0x%x", d)
	case []string:
		typ, data = "REG_MULTI_SZ", strings.Join(d, `\0`)
	case []byte:
		typ, data = "REG_BINARY", fmt.Sprintf("%X", d)
	case string:
		data = d
		if v.Kind == "ExpandString" {
			typ = "REG_EXPAND_SZ"
		}
	}
	return fmt.Sprintf("    %s    %s    %s", name, typ, data)
}

// subkeys lists the direct subkeys of path, by name.
func (r *registry) subkeys(path string) []*registryKey {
	prefix := strings.ToLower(path) + `\`
	var out []*registryKey
	for folded, k := range r.keys {
		if strings.HasPrefix(folded, prefix) && !strings.Contains(folded[len(prefix):], `\`) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *registryKey) int { return strings.Compare(strings.ToLower(a.path), strings.ToLower(b.path)) })
	return out
}
