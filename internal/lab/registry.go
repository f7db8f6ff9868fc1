package lab

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rectifyhq/rectify/actions/ops"
)

// RegistryValue is one typed registry value as the lab stores it. Data is a
// uint32 (DWord), uint64 (QWord), string (String, ExpandString), []string
// (MultiString) or []byte (Binary).
type RegistryValue struct {
	Kind string
	Data any
}

// registryKey is one key: its display path and its values by folded name.
type registryKey struct {
	path   string
	names  map[string]string // folded name -> name as written
	values map[string]RegistryValue
}

// registry is a host's registry: keys by folded canonical path. It is
// guarded by the owning host's mutex.
type registry struct {
	keys map[string]*registryKey
}

func newRegistry() registry {
	return registry{keys: map[string]*registryKey{}}
}

// hives maps the spellings PowerShell accepts to the canonical hive name.
var hives = map[string]string{
	"hklm":               "HKLM",
	"hkey_local_machine": "HKLM",
	"hkcu":               "HKCU",
	"hkey_current_user":  "HKCU",
	"hku":                "HKU",
	"hkey_users":         "HKU",
	"hkcr":               "HKCR",
	"hkey_classes_root":  "HKCR",
}

// canonicalKeyPath turns "HKLM:\SYSTEM\...", "Registry::HKEY_LOCAL_MACHINE\..."
// or "HKLM\SYSTEM\..." into "HKLM\SYSTEM\...".
func canonicalKeyPath(p string) (string, error) {
	s := strings.TrimSpace(p)
	if rest, ok := cutPrefixFold(s, "Microsoft.PowerShell.Core\\Registry::"); ok {
		s = rest
	} else if rest, ok := cutPrefixFold(s, "Registry::"); ok {
		s = rest
	}
	s = strings.ReplaceAll(s, "/", "\\")
	hive, rest, _ := strings.Cut(s, "\\")
	hive = strings.TrimSuffix(hive, ":")
	h, ok := hives[strings.ToLower(hive)]
	if !ok {
		return "", fmt.Errorf("Cannot find drive. A drive with the name '%s' does not exist.", hive)
	}
	var parts []string
	for _, part := range strings.Split(rest, "\\") {
		if part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(append([]string{h}, parts...), "\\"), nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// get reads one value.
func (r *registry) get(path, name string) (key bool, v RegistryValue, ok bool) {
	k := r.keys[strings.ToLower(path)]
	if k == nil {
		return false, RegistryValue{}, false
	}
	v, ok = k.values[strings.ToLower(name)]
	return true, v, ok
}

// set writes one value, creating the key and its parents; it reports
// whether the key was created.
func (r *registry) set(path, name string, v RegistryValue) (created bool) {
	created = r.ensureKey(path)
	k := r.keys[strings.ToLower(path)]
	folded := strings.ToLower(name)
	if _, ok := k.names[folded]; !ok {
		k.names[folded] = name
	}
	k.values[folded] = v
	return created
}

// ensureKey creates a key and its parents; it reports whether the key
// itself was created.
func (r *registry) ensureKey(path string) bool {
	parts := strings.Split(path, "\\")
	created := false
	for i := 1; i <= len(parts); i++ {
		p := strings.Join(parts[:i], "\\")
		if _, ok := r.keys[strings.ToLower(p)]; !ok {
			r.keys[strings.ToLower(p)] = &registryKey{path: p, names: map[string]string{}, values: map[string]RegistryValue{}}
			created = i == len(parts)
		}
	}
	return created
}

// delete removes one value; it reports whether it existed.
func (r *registry) delete(path, name string) bool {
	k := r.keys[strings.ToLower(path)]
	if k == nil {
		return false
	}
	folded := strings.ToLower(name)
	if _, ok := k.values[folded]; !ok {
		return false
	}
	delete(k.values, folded)
	delete(k.names, folded)
	return true
}

// opsValue renders a stored value as the registry ops report it.
func opsValue(key bool, v RegistryValue, ok bool) ops.RegistryValue {
	out := ops.RegistryValue{KeyExists: key, Exists: ok}
	if !ok {
		return out
	}
	out.Kind = v.Kind
	switch d := v.Data.(type) {
	case []byte:
		out.Data = base64.StdEncoding.EncodeToString(d)
	case []string:
		out.Data = slices.Clone(d)
	default:
		out.Data = d
	}
	return out
}

// parseRegistryData checks that data (decoded from JSON) fits kind and
// converts it to the stored representation.
func parseRegistryData(kind string, data any) (RegistryValue, error) {
	switch kind {
	case ops.KindDWord, ops.KindQWord:
		n, err := jsonInteger(data)
		if err != nil {
			return RegistryValue{}, fmt.Errorf("the %s value %v is not a number: %w", kind, data, err)
		}
		if kind == ops.KindDWord {
			if n < math.MinInt32 || n > math.MaxUint32 {
				return RegistryValue{}, fmt.Errorf("the value %d is out of range for a DWord", n)
			}
			return RegistryValue{Kind: kind, Data: uint32(n)}, nil
		}
		return RegistryValue{Kind: kind, Data: uint64(n)}, nil
	case ops.KindString, ops.KindExpandString:
		s, ok := data.(string)
		if !ok {
			return RegistryValue{}, fmt.Errorf("the %s value is not a string", kind)
		}
		return RegistryValue{Kind: kind, Data: s}, nil
	case ops.KindMultiString:
		list, ok := data.([]any)
		if !ok {
			return RegistryValue{}, fmt.Errorf("the MultiString value is not a list of strings")
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				return RegistryValue{}, fmt.Errorf("the MultiString value is not a list of strings")
			}
			out = append(out, s)
		}
		return RegistryValue{Kind: kind, Data: out}, nil
	case ops.KindBinary:
		s, ok := data.(string)
		if !ok {
			return RegistryValue{}, fmt.Errorf("the Binary value is not base64 text")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return RegistryValue{}, fmt.Errorf("the Binary value is not base64 text: %w", err)
		}
		return RegistryValue{Kind: kind, Data: b}, nil
	}
	return RegistryValue{}, fmt.Errorf("Cannot convert value %q to type \"Microsoft.Win32.RegistryValueKind\". Specify one of the following enumerator names and try again: String, ExpandString, Binary, DWord, MultiString, QWord", kind)
}

// jsonInteger reads an integral JSON number decoded as float64 or
// json.Number.
func jsonInteger(v any) (int64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Int64()
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, fmt.Errorf("not an integer")
		}
		return int64(n), nil
	}
	return 0, fmt.Errorf("not a number")
}

// sameRegistryValue compares a value as read with an expected one, by
// existence, kind and data.
func sameRegistryValue(got, want ops.RegistryValue) bool {
	if got.Exists != want.Exists {
		return false
	}
	if !got.Exists {
		return true
	}
	if got.Kind != want.Kind {
		return false
	}
	a, err1 := json.Marshal(got.Data)
	b, err2 := json.Marshal(normaliseJSONNumber(want.Data))
	return err1 == nil && err2 == nil && string(a) == string(b)
}

// normaliseJSONNumber turns integral float64 values into int64 so that 1
// and 1.0 compare equal after marshalling.
func normaliseJSONNumber(v any) any {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n)
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i
		}
	case []any:
		out := make([]any, len(n))
		for i, x := range n {
			out[i] = normaliseJSONNumber(x)
		}
		return out
	}
	return v
}
