package lab

import (
	"context"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// logonKey carries the logon session of the command being run.
type logonKey struct{}

// withLogon returns ctx carrying the logon session a command runs in, as
// the WinRM endpoint authenticated it.
func withLogon(ctx context.Context, l wsman.Logon) context.Context {
	return context.WithValue(ctx, logonKey{}, l)
}

// logonFrom returns the logon session of the command ctx belongs to. A
// command run without one (the lab's own tests calling Org.Run) runs in a
// network logon without credentials, as over NTLM.
func logonFrom(ctx context.Context) wsman.Logon {
	if l, ok := ctx.Value(logonKey{}).(wsman.Logon); ok {
		return l
	}
	return wsman.Logon{Mechanism: wsman.MechanismNTLM}
}
