package ntlm

import (
	"errors"
	"fmt"
)

// ErrNTLM is the class of every error of this package: a message that is
// malformed, a signature that does not verify, a sequence out of order.
var ErrNTLM = errors.New("ntlm")

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNTLM, fmt.Sprintf(format, args...))
}
