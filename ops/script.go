package ops

import (
	"context"
	"encoding/json"
)

// Script is one PowerShell operation from the script library: the text of a
// .ps1 file whose first line is the marker "# rectify:op <name> v<N>".
type Script struct {
	// Op is the operation name from the marker, such as "registry.get".
	Op string
	// Version is the N of the marker.
	Version int
	// Text is the whole script, marker line first. It is sent as is: nothing
	// from an inventory or playbook is ever spliced into it.
	Text string
}

// ScriptRun asks a Shell to run one script with its argument document.
type ScriptRun struct {
	Script Script
	// Args is the JSON argument document; it travels base64-encoded beside
	// the script and is decoded by the script itself.
	Args json.RawMessage
	// SensitiveArgs keeps the arguments out of logs and errors.
	SensitiveArgs bool
	// Mutates marks a run that may change the host: such a run is never
	// retried after it may have started.
	Mutates bool
	// MaxOutput bounds what the run may print, standard output and
	// standard error together, in bytes; zero means the transport's
	// default. A run that prints more is stopped and fails.
	MaxOutput int64
}

// ScriptResult is what a script printed and how it ended.
type ScriptResult struct {
	// Output is the single JSON document the script wrote to stdout.
	Output json.RawMessage
	// Stdout is the raw standard output (Output's source).
	Stdout string
	// Stderr is the decoded error text (CLIXML turned into plain lines).
	Stderr   string
	ExitCode int
}

// Shell runs PowerShell operations on one Windows host.
type Shell interface {
	RunScript(ctx context.Context, run ScriptRun) (ScriptResult, error)
}
