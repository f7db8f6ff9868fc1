package plans

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Secrets never enter a plan, a journal or a view. A value that came from
// env(), file() or a sensitive variable travels, between an action's Plan
// and its Apply, wrapped in Sensitive; every record keeps only a salted
// hash of it (Redact), so that apply can tell the value did not change
// since the plan was reviewed, and re-evaluates it from its source.
//
// In memory a Sensitive value encodes as {"rectify:sensitive": value}; a
// recorded one is {"(sensitive)": "hmac-sha256:<hex>"}. Both keys are
// reserved: an object of one of these keys alone is read as such a value.

// Sensitive marks a secret inside a change's payload or attributes, or
// inside the configuration a plan records. Actions wrap each value of their
// configuration that is sensitive (actions.Config.Sensitive) in it.
type Sensitive struct{ Value any }

const (
	clearKey   = "rectify:sensitive"
	hiddenKey  = "(sensitive)"
	hashPrefix = "hmac-sha256:"
)

// MarshalJSON encodes the value in its in-memory wrapper; Redact replaces
// the wrapper before anything is recorded.
func (s Sensitive) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{clearKey: s.Value})
}

// SaltSize is the length of a plan's salt in bytes.
const SaltSize = 32

// Salt keys the hashes a plan keeps of its sensitive values and the
// digests of the playbook and inventory it was made from. Each plan has
// its own, so equal secrets of two plans hash differently.
type Salt []byte

// NewSalt returns a fresh random salt.
func NewSalt() Salt {
	s := make(Salt, SaltSize)
	if _, err := rand.Read(s); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return s
}

// Hash returns the salted hash of b, "hmac-sha256:<hex>".
func (s Salt) Hash(b []byte) string {
	m := hmac.New(sha256.New, s)
	m.Write(b)
	return hashPrefix + hex.EncodeToString(m.Sum(nil))
}

// HashValue returns the salted hash of a plain JSON value's canonical
// encoding.
func (s Salt) HashValue(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode a sensitive value: %w", err)
	}
	c, err := Canonical(b)
	if err != nil {
		return "", err
	}
	return s.Hash(c), nil
}

// Hidden returns the recorded form of a sensitive value whose salted hash
// is hash.
func Hidden(hash string) map[string]any { return map[string]any{hiddenKey: hash} }

// ErrHidden is returned by Reveal for a document that holds a recorded
// (hashed) sensitive value: only a re-plan can supply the value itself.
var ErrHidden = errors.New("the document holds a sensitive value only as its hash; the value must come from its source again")

// Canonical re-encodes a JSON document with sorted object keys and numbers
// as written, so that equal documents compare equal byte for byte.
func Canonical(b []byte) ([]byte, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func decodeJSON(b []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not one JSON document")
	}
	return v, nil
}

// Redact returns the canonical encoding of a JSON document in which every
// in-memory Sensitive value is replaced by its salted hash.
func Redact(b []byte, salt Salt) (json.RawMessage, error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	v, err = redactValue(v, salt)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// HideAll returns the recorded form of a whole document that must not be
// recorded at all (an observed state holding a secret): its salted hash.
func HideAll(b []byte, salt Salt) (json.RawMessage, error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	plain, err := reveal(v, true)
	if err != nil {
		return nil, err
	}
	h, err := salt.HashValue(plain)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Hidden(h))
}

func redactValue(v any, salt Salt) (any, error) {
	return rewrite(v, func(m map[string]any) (any, bool, error) {
		inner, ok := single(m, clearKey)
		if !ok {
			return nil, false, nil
		}
		plain, err := reveal(inner, true)
		if err != nil {
			return nil, true, err
		}
		h, err := salt.HashValue(plain)
		if err != nil {
			return nil, true, err
		}
		return Hidden(h), true, nil
	})
}

// rewrite returns a copy of the decoded JSON value v in which every object
// that replace takes (ok set) is what replace returns; other objects and
// arrays are rewritten member by member.
func rewrite(v any, replace func(map[string]any) (r any, ok bool, err error)) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if r, ok, err := replace(x); err != nil || ok {
			return r, err
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := rewrite(e, replace)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := rewrite(e, replace)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// single returns the value of m's only key when that key is key.
func single(m map[string]any, key string) (any, bool) {
	if len(m) != 1 {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}

// Reveal returns a JSON document with every in-memory Sensitive value
// unwrapped to the value itself: what an action's Apply sends. A document
// without any is returned as it is. A recorded (hashed) value cannot be
// revealed: Reveal returns ErrHidden.
func Reveal(b []byte) (json.RawMessage, error) {
	if len(b) == 0 || !bytes.Contains(b, []byte(`"`+clearKey+`"`)) && !bytes.Contains(b, []byte(`"`+hiddenKey+`"`)) {
		return b, nil
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	v, err = reveal(v, false)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// reveal unwraps in-memory Sensitive values; with hashes set, a recorded
// value stays as it is instead of failing.
func reveal(v any, hashes bool) (any, error) {
	return rewrite(v, func(m map[string]any) (any, bool, error) {
		if inner, ok := single(m, clearKey); ok {
			r, err := reveal(inner, hashes)
			return r, true, err
		}
		if !isHidden(m) {
			return nil, false, nil
		}
		if hashes {
			return m, true, nil
		}
		return nil, true, ErrHidden
	})
}

func isHidden(m map[string]any) bool {
	h, ok := single(m, hiddenKey)
	if !ok {
		return false
	}
	s, ok := h.(string)
	return ok && len(s) > len(hashPrefix) && s[:len(hashPrefix)] == hashPrefix
}

// IsHidden reports whether v, a decoded JSON value, is a recorded
// sensitive value. Views print such values as "(sensitive)".
func IsHidden(v any) bool {
	m, ok := v.(map[string]any)
	return ok && isHidden(m)
}
