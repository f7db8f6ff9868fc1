package inventory

import (
	"encoding/json"
	"fmt"

	"github.com/rs/zerolog"
)

// redacted is how a secret renders everywhere.
const redacted = "(sensitive)"

// Secret holds a credential. It renders as "(sensitive)" through every
// printing and encoding path (fmt verbs, JSON, text, zerolog); Reveal is the
// only way to read it. The value sits behind a pointer so that even fmt's
// reflection over an enclosing struct's unexported fields prints an address,
// never the text.
type Secret struct {
	v *string
}

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal returns the secret's text, "" when it is not set. Call it only
// where the credential is handed to a protocol.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether the secret holds a value (possibly empty).
func (s Secret) IsSet() bool { return s.v != nil }

// Equal reports whether two secrets hold the same text. go-cmp uses it.
func (s Secret) Equal(o Secret) bool {
	return s.IsSet() == o.IsSet() && s.Reveal() == o.Reveal()
}

// String returns "(sensitive)", or "" when the secret is not set.
func (s Secret) String() string {
	if !s.IsSet() {
		return ""
	}
	return redacted
}

// GoString is used by %#v.
func (s Secret) GoString() string { return "inventory.Secret(" + fmt.Sprintf("%q", s.String()) + ")" }

// Format makes every fmt verb print what String returns.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalJSON encodes the secret as "(sensitive)", or null when not set.
func (s Secret) MarshalJSON() ([]byte, error) {
	if !s.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(redacted)
}

// MarshalText encodes the secret as "(sensitive)".
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalZerologObject logs whether the secret is set, never its text.
func (s Secret) MarshalZerologObject(e *zerolog.Event) {
	e.Bool("set", s.IsSet())
	if s.IsSet() {
		e.Str("value", redacted)
	}
}

var (
	_ fmt.Formatter              = Secret{}
	_ fmt.Stringer               = Secret{}
	_ fmt.GoStringer             = Secret{}
	_ json.Marshaler             = Secret{}
	_ zerolog.LogObjectMarshaler = Secret{}
)
