package wsman

import (
	"context"
	"io"
)

// Runner decides what a command does on a simulated host. The lab's
// organisation model implements it.
//
// Run is called in its own goroutine when a Command request arrives. stdin
// yields the data of the client's Send requests and ends (io.EOF) when the
// client sends End="true"; what Run writes to stdout and stderr reaches the
// client through Receive requests as it is written. ctx is canceled when the
// client terminates the command (Signal), deletes its shell, the shell
// expires, or the server closes; Run should then return promptly. The exit
// code Run returns is reported to the client with CommandState Done.
type Runner interface {
	Run(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) (exitCode int)
}

// Command is one command line as a Windows shell receives it.
type Command struct {
	// Line is the whole command line: the request's rsp:Command followed by
	// its rsp:Arguments, separated by spaces, as cmd.exe would be given it.
	Line string
	// Executable and Arguments are Line split the way Windows programs split
	// their command line (CommandLineToArgvW): Executable is the first word
	// with its quotes removed, Arguments the rest.
	Executable string
	Arguments  []string
	// Logon is how the client authenticated the shell that runs the
	// command: what Windows would give the command to act with.
	Logon Logon
}

// The authentication mechanisms of a logon.
const (
	MechanismBasic    = "basic"
	MechanismNTLM     = "ntlm"
	MechanismKerberos = "kerberos"
)

// Logon is the logon session a command runs in. A WinRM logon is a network
// logon: with NTLM, Basic or Kerberos without delegation the session holds
// no credentials it can present to a third machine (the "second hop"), so
// anything run in it that authenticates onwards fails. Only a delegated
// Kerberos ticket (or CredSSP, which the lab does not offer) gives it such
// credentials.
type Logon struct {
	// User is the account as the client named it.
	User string
	// Mechanism is MechanismBasic, MechanismNTLM or MechanismKerberos.
	Mechanism string
	// Delegated is set when the client delegated its credentials (a
	// forwarded Kerberos TGT): the session can authenticate onwards.
	Delegated bool
}

// CanAuthenticateOnwards reports whether the session holds credentials for
// a third machine.
func (l Logon) CanAuthenticateOnwards() bool { return l.Delegated }

// RunnerFunc adapts a function to the Runner interface.
type RunnerFunc func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
	return f(ctx, host, cmd, stdin, stdout, stderr)
}

var _ Runner = RunnerFunc(nil)
