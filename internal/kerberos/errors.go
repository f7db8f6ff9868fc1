package kerberos

import (
	"errors"
	"fmt"
)

// ErrKerberos is the class of every error of this package: a token that is
// malformed or does not verify, a context that cannot be established.
var ErrKerberos = errors.New("kerberos")

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrKerberos, fmt.Sprintf(format, args...))
}
