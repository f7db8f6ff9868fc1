package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// Shells hands out the Shell of an inventory host. The connections of a
// run (actions.Connections) are Shells.
type Shells interface {
	Shell(ctx context.Context, host string) (Shell, error)
}

// Call is one run of an op whose result document is a T, as an action's
// Apply or Undo asks for it. Run marshals Args into the argument document,
// runs the script on the host, and decodes what it printed into a T.
type Call[T any] struct {
	// Op names the library's script to run.
	Op string
	// Script, when set, is run instead of a library script: a playbook's
	// own script, whose op is UserScript.
	Script *Script
	// Args is the argument document, marshalled to JSON.
	Args any
	// Mutates marks a run that may change the host: it is never retried
	// once it may have started.
	Mutates bool
	// SensitiveArgs keeps the argument document out of logs and errors.
	SensitiveArgs bool
}

// Run runs the call on host. A failure to reach the host or of the script
// is returned as the Shell reports it; an answer that does not decode into
// a T is an *AnswerError. Numbers in untyped (any) fields of T decode as
// json.Number, so that 64-bit values keep every digit.
func (c Call[T]) Run(ctx context.Context, shells Shells, host string) (T, error) {
	var out T
	script, err := c.script()
	if err != nil {
		return out, err
	}
	args, err := json.Marshal(c.Args)
	if err != nil {
		return out, fmt.Errorf("%s on %s: encode the arguments: %w", script.Op, host, err)
	}
	sh, err := shells.Shell(ctx, host)
	if err != nil {
		return out, err
	}
	res, err := sh.RunScript(ctx, ScriptRun{Script: script, Args: args, Mutates: c.Mutates, SensitiveArgs: c.SensitiveArgs})
	if err != nil {
		return out, err
	}
	dec := json.NewDecoder(bytes.NewReader(res.Output))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return out, &AnswerError{Host: host, Op: script.Op, Err: err}
	}
	if dec.More() {
		return out, &AnswerError{Host: host, Op: script.Op, Err: fmt.Errorf("more than one JSON document")}
	}
	return out, nil
}

func (c Call[T]) script() (Script, error) {
	if c.Script != nil {
		return *c.Script, nil
	}
	return Lookup(c.Op)
}

// AnswerError reports a script's answer that is not the op's result
// document: the host answered something rectify does not understand, and
// asking again will not help.
type AnswerError struct {
	Host, Op string
	Err      error
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("%s: %s: malformed answer: %v", e.Host, e.Op, e.Err)
}

func (e *AnswerError) Unwrap() error { return e.Err }
