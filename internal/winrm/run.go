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

// CommandResult is what a native command printed and its exit code.
type CommandResult struct {
	Stdout string
	// Stderr is decoded from CLIXML when PowerShell wrote it.
	Stderr   string
	ExitCode int
}

// RunCommand runs a native program (w32tm, repadmin) with arguments. The
// command line passes through cmd.exe, so the program name and arguments
// are checked and quoted by CommandLine. A non-zero exit code is not an
// error: these programs' exit codes are unreliable and their output is
// parsed instead. The command is treated as mutating: it is not retried
// once it may have reached the host.
func (s *Shell) RunCommand(ctx context.Context, command string, args ...string) (_ CommandResult, err error) {
	started := false
	defer s.contained(command, &err, func() bool { return started })
	line, err := CommandLine(command, args...)
	if err != nil {
		return CommandResult{}, &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: s.cfg.Host, Op: command, Err: err}
	}
	var raw rawResult
	err = s.retry(ctx, command, true, func(ctx context.Context) error {
		var err error
		started = true
		raw, err = s.execute(ctx, command, line, nil, true, s.cfg.MaxOutputBytes)
		return err
	})
	res := CommandResult{Stdout: string(raw.stdout), Stderr: DecodeCLIXML(string(raw.stderr)), ExitCode: raw.exitCode}
	return res, err
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
