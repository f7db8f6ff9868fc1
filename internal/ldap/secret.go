package ldap

import (
	"fmt"
	"log/slog"
)

const redacted = "[redacted]"

// Secret holds a password. Formatting, logging or encoding it yields
// "[redacted]"; only Reveal returns the value.
type Secret struct{ value string }

// NewSecret wraps a password.
func NewSecret(s string) Secret { return Secret{value: s} }

// Reveal returns the password itself, for the bind request only.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether no password was given.
func (s Secret) IsZero() bool { return s.value == "" }

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]", so that %#v hides the value too.
func (s Secret) GoString() string { return redacted }

// Format writes "[redacted]" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText returns "[redacted]", for JSON and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue hides the value from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
