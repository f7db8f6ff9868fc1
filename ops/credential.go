package ops

// Credential is an account and its password that an op presents to a
// service beyond the host it runs on. A WinRM session logged on with NTLM,
// Basic, or Kerberos without delegation holds no credentials for a third
// machine (the "second hop"); an op that must authenticate onwards is
// handed one explicitly, as a sensitive argument, the way Ansible's become
// hands its password to a logon on the host.
//
// A Credential is never part of a plan, a journal or a log: the transport
// adds it to the argument document just before the run and marks the run
// sensitive (see NeedsCredential).
type Credential struct {
	// User is "DOMAIN\user" or "user@domain".
	User     string `json:"user"`
	Password string `json:"password"`
}

// credentialOps names the ops that open a session of their own towards a
// service beyond the host (Exchange's management endpoint) and take a
// "credential" argument for it. Every op not named here needs nothing
// beyond the WinRM session, or needs the session's own delegated
// credentials (NeedsOnwardCredentials).
var credentialOps = map[string]bool{
	ConnectorGet:     true,
	ConnectorAddAuth: true,
	QueueGet:         true,
	QueueRetry:       true,
}

// NeedsCredential reports whether op authenticates beyond the host and so
// takes a "credential" argument: the transport that runs it adds the
// credential of its own logon to the op's argument document and keeps the
// run's arguments out of logs and errors.
func NeedsCredential(op string) bool { return credentialOps[op] }
