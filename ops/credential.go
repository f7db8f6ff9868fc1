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

// Onward says what an op needs beyond the WinRM session's own logon.
type Onward int

// The onward needs of ops.
const (
	// OnwardNone: the op acts on the host itself, or reads what its own
	// session may read.
	OnwardNone Onward = iota
	// OnwardCredential: the op opens a session of its own towards a service
	// (Exchange's management endpoint) and needs an explicit credential,
	// or a session that holds delegated credentials.
	OnwardCredential
)

// onward declares the ops that authenticate beyond the host. Every op not
// named here needs nothing beyond the WinRM session.
var onward = map[string]Onward{
	ConnectorGet:     OnwardCredential,
	ConnectorAddAuth: OnwardCredential,
	QueueGet:         OnwardCredential,
	QueueRetry:       OnwardCredential,
}

// OnwardNeed returns what op needs beyond the WinRM session's logon.
func OnwardNeed(op string) Onward { return onward[op] }

// NeedsCredential reports whether op authenticates beyond the host and so
// takes a "credential" argument: the transport that runs it adds the
// credential of its own logon to the op's argument document and keeps the
// run's arguments out of logs and errors.
func NeedsCredential(op string) bool { return onward[op] == OnwardCredential }
