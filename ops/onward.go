package ops

// onward names the ops whose scripts authenticate from the host they run
// on to another machine with the credentials of rectify's session (the
// "second hop"), with the reason. A WinRM session logged on with NTLM,
// Basic, or Kerberos without delegation holds no such credentials, so these
// ops fail in it; docs/windows.md records the sources.
//
// An op that is not listed acts on its own host only, or reaches other
// machines with the host's own machine account (a DC replicating from its
// partner), which needs nothing from the session.
var onward = map[string]string{
	ReplSyncAll: "repadmin /syncall binds to the replication partners of the DC (each DC it pushes to with /P, and each partner its initial check contacts) as the session's user",
}

// NeedsOnwardCredentials reports whether op authenticates from its host to
// other machines as the session's user, and why. Plans use it to refuse
// such an op early on a host whose session cannot delegate credentials.
func NeedsOnwardCredentials(op string) (why string, needs bool) {
	why, needs = onward[op]
	return why, needs
}
