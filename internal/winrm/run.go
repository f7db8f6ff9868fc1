package winrm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// RunScript runs a script op through the bootstrap: the command line is
// ops.BootstrapCommand() and the arguments and script go over standard
// input, so scripts of any size pass. On exit code 0 the script's standard
// output must be one JSON document, returned as Output. A non-zero exit is
// a permanent KindScript error that carries the decoded standard error;
// the ScriptResult is returned with it.
func (s *Shell) RunScript(ctx context.Context, run ops.ScriptRun) (_ ops.ScriptResult, err error) {
	op := run.Script.Op
	started := false
	defer s.contained(op, &err, func() bool { return run.Mutates && started })
	if op == "" {
		op = "script"
	}
	args := []byte(run.Args)
	if len(bytes.TrimSpace(args)) == 0 {
		args = []byte("{}")
	}
	stdin := ops.Stdin(run.Script, args)
	maxOutput := run.MaxOutput
	if maxOutput <= 0 {
		maxOutput = s.cfg.MaxOutputBytes
	}
	var raw rawResult
	err = s.retry(ctx, op, run.Mutates, func(ctx context.Context) error {
		var err error
		started = true
		raw, err = s.execute(ctx, op, ops.BootstrapCommand(), stdin, run.Mutates, maxOutput)
		return err
	})
	res := ops.ScriptResult{
		Stdout:   string(raw.stdout),
		Stderr:   DecodeCLIXML(string(raw.stderr)),
		ExitCode: raw.exitCode,
	}
	if run.SensitiveArgs && res.Stderr != "" {
		res.Stderr = redactArgs(res.Stderr, args)
	}
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, &actions.TransportError{Kind: actions.KindScript, Class: actions.Permanent, Host: s.cfg.Host, Op: op,
			Err: &scriptError{ExitCode: res.ExitCode, Stderr: res.Stderr}}
	}
	out := bytes.TrimSpace(bytes.TrimPrefix(raw.stdout, []byte("\ufeff")))
	if !json.Valid(out) {
		return res, &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: s.cfg.Host, Op: op,
			Err: &protocolError{msg: fmt.Sprintf("standard output is not one JSON document (%d bytes)", len(raw.stdout))}}
	}
	res.Output = json.RawMessage(out)
	return res, nil
}

// redactArgs replaces, in text, every string of the argument document that
// is long enough to be recognised, so that a script echoing a sensitive
// argument in its error does not carry it into logs.
func redactArgs(text string, argsJSON []byte) string {
	var doc any
	if json.Unmarshal(argsJSON, &doc) != nil {
		return text
	}
	var values []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= 4 {
				values = append(values, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	// Longest first, so that a value containing another is replaced whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		text = strings.ReplaceAll(text, v, "(sensitive)")
	}
	return text
}
