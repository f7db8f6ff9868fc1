package lab

import (
	"context"
	"strings"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// HopDenied says that a command could not authenticate from the host it
// runs on to another machine as the session's user: the session is a
// network logon without credentials for a third machine (NTLM, Basic, or
// Kerberos without delegation), so Windows presents no credentials (an
// anonymous logon) and the other machine refuses. Each tool reports it in
// its own words and codes; HopDenied only says what happened.
type HopDenied struct {
	// From is the host the command runs on; To the machine it tried to
	// reach, as the command named it.
	From *Host
	To   string
	// Logon is the session the command ran in.
	Logon wsman.Logon
}

// Error implements error.
func (d *HopDenied) Error() string {
	return "the " + d.Logon.Mechanism + " logon session of " + d.Logon.User + " on " + d.From.Name +
		" holds no credentials for " + d.To + " (second hop)"
}

// onward checks that the command ctx belongs to may authenticate from from
// to the machine named to as the session's user. A call to the host itself
// is local and always works; any other machine needs a session that holds
// delegated credentials (Kerberos with a forwarded ticket). It returns nil
// when the hop works.
//
// Everything in the lab that reaches another machine with the session's
// credentials asks onward first: repadmin binding to another DC, and
// (through needsOnward) any op whose cmdlets act on Active Directory as
// the caller.
func onward(ctx context.Context, from *Host, to string) *HopDenied {
	if isSelf(from, to) {
		return nil
	}
	l := logonFrom(ctx)
	if l.CanAuthenticateOnwards() {
		return nil
	}
	return &HopDenied{From: from, To: to, Logon: l}
}

// isSelf reports whether a name (short name, computer name, FQDN,
// "localhost" or ".") designates h itself.
func isSelf(h *Host, name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "", ".", "localhost", "127.0.0.1", "::1":
		return true
	}
	return n == h.Name || n == strings.ToLower(h.NetBIOS) || n == h.FQDN || (h.IP != "" && n == h.IP)
}

// needsOnward declares that an op authenticates, as the session's user, to
// the machine target names (for an Exchange cmdlet: the host's DC): in a
// session that cannot make that hop the op does not run, and deny turns
// the refusal into the error the real command prints. It is how the lab
// enforces the second hop for an op; a native command asks onward itself,
// since only some of its arguments reach other machines.
func needsOnward(h opHandler, target func(c *opCall) string, deny func(c *opCall, d *HopDenied) *scriptError) opHandler {
	return func(ctx context.Context, c *opCall) (any, *scriptError) {
		if d := onward(ctx, c.host, target(c)); d != nil {
			return nil, deny(c, d)
		}
		return h(ctx, c)
	}
}
