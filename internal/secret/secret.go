// Package secret holds credentials so that they never render: a Value
// prints, encodes and logs as "(sensitive)" through every path a program
// might use, and only Reveal returns its text. The inventory's passwords,
// the LDAP client's bind password and the WinRM client's password are all
// Values.
package secret

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/rs/zerolog"
)

// Redacted is how a secret renders everywhere, and what stands in for one
// in text that had to be cleaned of it.
const Redacted = "(sensitive)"

// Value holds a credential. It renders as "(sensitive)" through every
// printing and encoding path (fmt verbs, JSON, text, slog, zerolog); Reveal
// is the only way to read it. The value sits behind a pointer so that even
// fmt's reflection over an enclosing struct's unexported fields prints an
// address, never the text.
type Value struct {
	v *string
}

// New wraps s.
func New(s string) Value { return Value{v: &s} }

// Reveal returns the secret's text, "" when it is not set. Call it only
// where the credential is handed to a protocol.
func (s Value) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether the secret holds a value (possibly empty).
func (s Value) IsSet() bool { return s.v != nil }

// Equal reports whether two secrets hold the same text. go-cmp uses it.
func (s Value) Equal(o Value) bool {
	return s.IsSet() == o.IsSet() && s.Reveal() == o.Reveal()
}

// String returns "(sensitive)", or "" when the secret is not set.
func (s Value) String() string {
	if !s.IsSet() {
		return ""
	}
	return Redacted
}

// GoString is used by %#v.
func (s Value) GoString() string { return "secret.Value(" + fmt.Sprintf("%q", s.String()) + ")" }

// Format makes every fmt verb print what String returns.
func (s Value) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalJSON encodes the secret as "(sensitive)", or null when not set.
func (s Value) MarshalJSON() ([]byte, error) {
	if !s.IsSet() {
		return []byte("null"), nil
	}
	return json.Marshal(Redacted)
}

// MarshalText encodes the secret as "(sensitive)".
func (s Value) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue logs the secret as "(sensitive)" through log/slog.
func (s Value) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalZerologObject logs whether the secret is set, never its text.
func (s Value) MarshalZerologObject(e *zerolog.Event) {
	e.Bool("set", s.IsSet())
	if s.IsSet() {
		e.Str("value", Redacted)
	}
}

var (
	_ fmt.Formatter              = Value{}
	_ fmt.Stringer               = Value{}
	_ fmt.GoStringer             = Value{}
	_ json.Marshaler             = Value{}
	_ slog.LogValuer             = Value{}
	_ zerolog.LogObjectMarshaler = Value{}
)
