package lab

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/ops"
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

// hives maps the hive names the scripts accept to the canonical ones.
var hives = map[string]string{
	"HKLM":                "HKLM",
	"HKEY_LOCAL_MACHINE":  "HKLM",
	"HKCU":                "HKCU",
	"HKEY_CURRENT_USER":   "HKCU",
	"HKU":                 "HKU",
	"HKEY_USERS":          "HKU",
	"HKCR":                "HKCR",
	"HKEY_CLASSES_ROOT":   "HKCR",
	"HKCC":                "HKCC",
	"HKEY_CURRENT_CONFIG": "HKCC",
}

// registryPathPattern is Resolve-RegistryPath's (ops/scripts/lib/registry.ps1).
var registryPathPattern = regexp.MustCompile(`^([A-Za-z_]+):?(\\+(.*))?$`)

// canonicalKeyPath resolves a path as the registry scripts do
// ("HKLM:\SYSTEM\...", "Registry::HKEY_LOCAL_MACHINE\...", "HKLM\SYSTEM")
// into "HKLM\SYSTEM\...". Empty path segments are dropped, as the
// registry API does.
func canonicalKeyPath(p string) (string, error) {
	s, _ := cutPrefixFold(p, "Microsoft.PowerShell.Core\\")
	if rest, ok := cutPrefixFold(s, "Registry::"); ok {
		s = rest
	} else {
		s = p
	}
	m := registryPathPattern.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf(`registry path is not of the form HKLM:\Key\Subkey`)
	}
	h, ok := hives[strings.ToUpper(m[1])]
	if !ok {
		return "", fmt.Errorf("unknown registry hive in path")
	}
	parts := []string{h}
	for _, part := range strings.Split(m[3], "\\") {
		if part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "\\"), nil
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
// converts it to the stored representation, with registry.set's rules.
func parseRegistryData(kind string, data any) (RegistryValue, error) {
	switch kind {
	case ops.KindDWord, ops.KindQWord:
		limit := uint64(math.MaxUint32)
		if kind == ops.KindQWord {
			limit = math.MaxUint64
		}
		n, err := jsonWhole(data)
		if err != nil {
			return RegistryValue{}, fmt.Errorf("registry.set: data must be a number for DWord and QWord values")
		}
		if n.Sign() < 0 || !n.IsUint64() || n.Uint64() > limit {
			return RegistryValue{}, fmt.Errorf("registry.set: data must be a whole number from 0 to %d", limit)
		}
		if kind == ops.KindDWord {
			return RegistryValue{Kind: kind, Data: uint32(n.Uint64())}, nil
		}
		return RegistryValue{Kind: kind, Data: n.Uint64()}, nil
	case ops.KindString, ops.KindExpandString:
		s, ok := data.(string)
		if !ok {
			return RegistryValue{}, fmt.Errorf("registry.set: data must be a string for %s values", kind)
		}
		return RegistryValue{Kind: kind, Data: s}, nil
	case ops.KindMultiString:
		var list []any
		switch d := data.(type) {
		case []any:
			list = d
		case nil:
		default:
			list = []any{d}
		}
		out := make([]string, 0, len(list))
		for _, item := range list {
			if item == nil {
				continue
			}
			s, ok := item.(string)
			if !ok {
				return RegistryValue{}, fmt.Errorf("registry.set: data must be a list of strings for MultiString values")
			}
			out = append(out, s)
		}
		return RegistryValue{Kind: kind, Data: out}, nil
	case ops.KindBinary:
		s, ok := data.(string)
		if !ok {
			return RegistryValue{}, fmt.Errorf("registry.set: data must be base64 text for Binary values")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return RegistryValue{}, fmt.Errorf(`Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. "`)
		}
		return RegistryValue{Kind: kind, Data: b}, nil
	}
	return RegistryValue{}, fmt.Errorf("registry.set: kind must be one of DWord, QWord, String, ExpandString, MultiString, Binary")
}

// jsonWhole reads an integral JSON number (json.Number or float64).
func jsonWhole(v any) (*big.Int, error) {
	var text string
	switch n := v.(type) {
	case json.Number:
		text = n.String()
	case float64:
		text = strconv.FormatFloat(n, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("not a number")
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok || !r.IsInt() {
		if ok {
			return big.NewInt(-1), nil // a fraction: out of range
		}
		return nil, fmt.Errorf("not a number")
	}
	return r.Num(), nil
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
