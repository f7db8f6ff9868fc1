package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// maxStdin bounds the standard input a command may receive.
const maxStdin = 8 << 20

// Run executes one command on a host as Windows would: executable is the
// program ("powershell.exe", "w32tm"), arguments its arguments; when both
// are empty the command line is split as cmd.exe splits it. It writes the
// command's output and returns its exit code.
func (o *Org) Run(ctx context.Context, host, line, executable string, arguments []string, stdin io.Reader, stdout, stderr io.Writer) int {
	h, ok := o.Host(host)
	if !ok {
		fmt.Fprintf(stderr, "The computer %s is not part of the lab.\r\n", host)
		return 1
	}
	if executable == "" {
		words := splitCommandLine(line)
		if len(words) == 0 {
			return 0
		}
		executable, arguments = words[0], words[1:]
	}
	return o.runProgram(ctx, h, executable, arguments, stdin, stdout, stderr)
}

func (o *Org) runProgram(ctx context.Context, h *Host, executable string, arguments []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := programName(executable)
	switch name {
	case "powershell", "pwsh":
		return o.runPowerShell(ctx, h, arguments, stdin, stdout, stderr)
	case "cmd":
		return o.runCmd(ctx, h, arguments, stdin, stdout, stderr)
	case "hostname":
		fmt.Fprintf(stdout, "%s\r\n", h.NetBIOS)
		return 0
	}
	o.recordNative(h, executable, arguments)
	if o.hasNative(h, name) {
		out, errs, code := o.nativeStreams(ctx, h, name, arguments)
		io.WriteString(stdout, out)
		io.WriteString(stderr, errs)
		return code
	}
	fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", executable)
	return 1
}

// runCmd runs cmd.exe: /c (or /k) runs the rest of its command line, as
// one quoted argument ("cmd /c \"w32tm /query /source\"") or as words.
func (o *Org) runCmd(ctx context.Context, h *Host, arguments []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(arguments) < 2 || (!strings.EqualFold(arguments[0], "/c") && !strings.EqualFold(arguments[0], "/k")) {
		return 0
	}
	words := arguments[1:]
	if len(words) == 1 {
		words = splitCommandLine(words[0])
	}
	if len(words) == 0 {
		return 0
	}
	return o.runProgram(ctx, h, words[0], words[1:], stdin, stdout, stderr)
}

// programName is an executable's name without directory and extension, in
// lower case.
func programName(executable string) string {
	s := executable
	if i := strings.LastIndexAny(s, `\/`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.ToLower(s)
	for _, ext := range []string{".exe", ".com", ".bat", ".cmd"} {
		s = strings.TrimSuffix(s, ext)
	}
	return s
}

// splitCommandLine splits a command line as the Windows C runtime does for
// the cases that matter here: spaces separate words, double quotes group.
func splitCommandLine(line string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
			inWord = true
		case (r == ' ' || r == '\t' || r == '\r' || r == '\n') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// runPowerShell runs powershell.exe: -EncodedCommand with the bootstrap
// reads a script and its arguments from standard input; -Command - reads
// a script from standard input. A script that is not one of rectify's ops
// runs when it is one native command (see runNativeScript), however it
// came: -EncodedCommand, -Command <text>, or standard input.
func (o *Org) runPowerShell(ctx context.Context, h *Host, arguments []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var encoded, command string
	hasCommand := false
	for i := 0; i < len(arguments); i++ {
		a := strings.ToLower(arguments[i])
		if !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "/") {
			command = strings.Join(arguments[i:], " ")
			hasCommand = true
			break
		}
		name := strings.TrimLeft(a, "-/")
		switch {
		case name == "e" || name == "ec" || (len(name) >= 2 && strings.HasPrefix("encodedcommand", name)):
			if i+1 < len(arguments) {
				encoded = arguments[i+1]
				i++
			}
		case name == "c" || (len(name) >= 2 && strings.HasPrefix("command", name)):
			command = strings.Join(arguments[i+1:], " ")
			hasCommand = true
			i = len(arguments)
		case name == "executionpolicy" || name == "ep" || name == "file" || name == "f" || name == "inputformat" || name == "outputformat" || name == "windowstyle":
			i++
		}
	}
	var script string
	switch {
	case encoded != "":
		text, err := ops.DecodeCommand(encoded)
		if err != nil {
			fmt.Fprintf(stderr, "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.\r\n")
			return 1
		}
		script = text
	case hasCommand && command != "-":
		script = command
	default:
		b, err := io.ReadAll(io.LimitReader(stdin, maxStdin))
		if err != nil {
			return 1
		}
		script = string(b)
	}

	if _, _, marked := ops.ParseMarker(script); !marked {
		return o.runNativeScript(ctx, h, script, stdin, stdout, stderr)
	}
	op, _, _ := ops.ParseMarker(script)
	var argsJSON []byte
	hasArgs := false
	if op == ops.Bootstrap {
		b, err := io.ReadAll(io.LimitReader(stdin, maxStdin))
		if err != nil {
			return 1
		}
		if !bytes.Contains(b, []byte("\n")) {
			io.WriteString(stderr, clixml(thrown("rectify bootstrap: standard input holds no script")))
			return 1
		}
		a, s, err := ops.ParseStdin(b)
		if err != nil {
			// The bootstrap hands the line on; the script's own
			// FromBase64String refuses it.
			io.WriteString(stderr, clixml(thrown(`Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. "`)))
			return 1
		}
		argsJSON, script, hasArgs = a, s, true
	}
	out, serr := o.runScript(ctx, h, script, argsJSON, hasArgs)
	if serr != nil {
		io.WriteString(stderr, clixml(serr))
		return 1
	}
	b, err := json.Marshal(out)
	if err != nil {
		io.WriteString(stderr, clixml(thrown("ConvertTo-Json: %v", err)))
		return 1
	}
	stdout.Write(append(b, '\r', '\n'))
	return 0
}

// runScript dispatches a script on its marker and decoded arguments.
func (o *Org) runScript(ctx context.Context, h *Host, script string, argsJSON []byte, hasArgs bool) (any, *scriptError) {
	op, version, ok := ops.ParseMarker(script)
	if !ok {
		return nil, commandNotFound(firstWord(script))
	}
	o.recordOp(h, op, version, argsJSON)
	handler, known := handlerFor(op)
	if !known {
		return nil, commandNotFound(op)
	}
	if !hasArgs {
		return nil, thrown(`Exception calling "FromBase64String" with "1" argument(s): "Value cannot be null.`)
	}
	if err := spend(ctx, h.opDuration(op)); err != nil {
		return nil, err
	}
	return handler(ctx, &opCall{org: o, host: h, args: argsJSON, version: version})
}

// firstWord names an unmarked script in an error message the way
// PowerShell names the command it could not find: the first word of the
// first line that is neither blank nor a comment (bounded).
func firstWord(script string) string {
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)[0]
		if r := []rune(w); len(r) > 64 {
			w = string(r[:64])
		}
		return w
	}
	return "."
}

// OpRecord is one op or native command a host received.
type OpRecord struct {
	Time    time.Time
	Op      string // op name, or the native program ("w32tm")
	Version int
	// Args is the op's JSON argument document, or the native command's
	// arguments as a JSON list.
	Args json.RawMessage
}

// maxRecordsPerHost bounds the record kept per host.
const maxRecordsPerHost = 4096

func (o *Org) recordOp(h *Host, op string, version int, args []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	list := o.record[h.Name]
	if len(list) >= maxRecordsPerHost {
		list = list[1:]
	}
	o.record[h.Name] = append(list, OpRecord{Time: time.Now().UTC(), Op: op, Version: version, Args: redactPasswords(args)})
}

// redactPasswords returns a copy of a JSON document with the password of
// every "credential" object replaced: the lab keeps what hosts received for
// tests to inspect, never the credentials an op carried for its logon.
// Other values, a script's own arguments among them, are kept as sent.
func redactPasswords(doc []byte) json.RawMessage {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if len(doc) == 0 || dec.Decode(&v) != nil {
		return append(json.RawMessage(nil), doc...)
	}
	found := false
	var walk func(x any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, e := range t {
				if cred, ok := e.(map[string]any); ok && strings.EqualFold(k, "credential") {
					for ck := range cred {
						if strings.EqualFold(ck, "password") {
							cred[ck], found = "(sensitive)", true
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	if !found {
		return append(json.RawMessage(nil), doc...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}

func (o *Org) recordNative(h *Host, executable string, arguments []string) {
	b, _ := json.Marshal(arguments)
	o.recordOp(h, programName(executable), 0, b)
}

// Received returns every op and native command a host received, oldest
// first.
func (o *Org) Received(host string) []OpRecord {
	h, ok := o.Host(host)
	if !ok {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OpRecord(nil), o.record[h.Name]...)
}
