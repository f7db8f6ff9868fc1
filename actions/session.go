package actions

import (
	"fmt"

	"github.com/rectifyhq/rectify/ops"
)

// Session describes rectify's WinRM logon on a host as far as it decides
// what may run in it: whether it holds credentials for a third machine.
// A WinRM logon is a network logon: with NTLM, Basic, or Kerberos without
// delegation, anything run in it that authenticates to another machine as
// the session's user fails (the second hop).
type Session struct {
	// Auth is the WinRM authentication mechanism ("ntlm", "basic",
	// "kerberos").
	Auth string `json:"auth,omitempty"`
	// Delegation is set when the client delegates its credentials to the
	// host (Kerberos with a forwarded ticket).
	Delegation bool `json:"delegation,omitempty"`
	// Credential is set when rectify holds the WinRM account's password and
	// can hand it, as a sensitive argument, to an op that opens a session
	// of its own with an explicit credential (ops.NeedsCredential). It
	// never holds the credential itself.
	Credential bool `json:"credential,omitempty"`
}

// OnwardCredentials reports whether the session can authenticate from the
// host to other machines.
func (s Session) OnwardCredentials() bool { return s.Delegation }

// OnwardRefusal says why op cannot run in the host's session: op needs
// credentials beyond the session (ops.NeedsOnwardCredentials) and the
// session has none. It returns "" when op can run. Actions use it to block
// a change, and the engine to refuse a read, before anything runs.
func (h Host) OnwardRefusal(op string) string {
	why, needs := ops.NeedsOnwardCredentials(op)
	if !needs || h.Session.OnwardCredentials() {
		return ""
	}
	auth := h.Session.Auth
	if auth == "" {
		auth = "unknown"
	}
	return fmt.Sprintf("%s needs credentials beyond the WinRM session on %s (%s), and the session (auth %s, no delegation) has none for another machine", op, h.Name, why, auth)
}

// RefuseOnwardReads checks the shell reads of an instance before they
// run: a probe whose op needs credentials beyond the session of the host
// it runs on, where that session has none, is refused with the reason, so
// that the plan says so for the host instead of reading and failing there.
func (inst Instance) RefuseOnwardReads(probes []Probe) error {
	for _, p := range probes {
		if p.Shell == nil {
			continue
		}
		if _, needs := ops.NeedsOnwardCredentials(p.Shell.Script.Op); !needs {
			continue // no host's session refuses it
		}
		names := p.Shell.Hosts
		if names == nil {
			names = []string{p.Shell.Host}
		}
		for _, name := range names {
			host := inst.Host
			if name != "" && name != inst.Host.Name && inst.Topology != nil {
				h, ok := inst.Topology.Host(name)
				if !ok {
					continue
				}
				host = h
			}
			if why := host.OnwardRefusal(p.Shell.Script.Op); why != "" {
				return fmt.Errorf("read %q refused before it runs: %s", p.Name, why)
			}
		}
	}
	return nil
}
