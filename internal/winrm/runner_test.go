package winrm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// opRunner is the test's Windows host: it runs the bootstrap as the wire
// protocol of package ops describes it (powershell.exe -EncodedCommand with
// the bootstrap, arguments and script on standard input) and dispatches on
// the script's marker, decoding the argument document strictly into the
// op's catalog type, so that a test sees exactly what reached the host.
type opRunner struct {
	mu sync.Mutex
	// runs counts the commands started, by op.
	runs map[string]int
	// started receives the op of every command as it starts.
	started chan string
	// canceled receives the op of every command whose context ended
	// before it finished (the client's Signal).
	canceled chan string
	// lastArgs is the argument document of the last op run.
	lastArgs []byte
	// logon is the logon the last command ran in.
	logon wsman.Logon
}

func (r *opRunner) lastLogon() wsman.Logon {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logon
}

func newOpRunner() *opRunner {
	return &opRunner{runs: map[string]int{}, started: make(chan string, 100), canceled: make(chan string, 100)}
}

func (r *opRunner) count(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[op]
}

// Run implements wsman.Runner.
func (r *opRunner) Run(ctx context.Context, host string, cmd wsman.Command, stdin io.Reader, stdout, stderr io.Writer) int {
	r.mu.Lock()
	r.logon = cmd.Logon
	r.mu.Unlock()
	switch strings.ToLower(cmd.Executable) {
	case "powershell.exe":
		return r.powershell(ctx, cmd, stdin, stdout, stderr)
	case "w32tm", "repadmin", "argv":
		// Native commands print their argument vector, one per line.
		for _, a := range cmd.Arguments {
			fmt.Fprintf(stdout, "[%s]\r\n", a)
		}
		return 3
	}
	fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", cmd.Executable)
	return 1
}

func (r *opRunner) powershell(ctx context.Context, cmd wsman.Command, stdin io.Reader, stdout, stderr io.Writer) int {
	n := len(cmd.Arguments)
	if n < 2 || cmd.Arguments[n-2] != "-EncodedCommand" {
		fmt.Fprint(stderr, "test runner: no -EncodedCommand")
		return 1
	}
	boot, err := ops.DecodeCommand(cmd.Arguments[n-1])
	if op, _, ok := ops.ParseMarker(boot); err != nil || !ok || op != ops.Bootstrap {
		fmt.Fprint(stderr, "test runner: the encoded command is not the bootstrap")
		return 1
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		return 1
	}
	args, script, err := ops.ParseStdin(in)
	if err != nil {
		fmt.Fprint(stderr, clixmlError(err.Error()))
		return 1
	}
	op, _, ok := ops.ParseMarker(script)
	if !ok {
		fmt.Fprint(stderr, clixmlError("script has no marker"))
		return 1
	}
	r.mu.Lock()
	r.runs[op]++
	r.lastArgs = args
	r.mu.Unlock()
	notify(r.started, op)
	out, err := r.dispatch(ctx, op, script, args)
	if ctx.Err() != nil {
		notify(r.canceled, op)
		return 130
	}
	if err != nil {
		fmt.Fprint(stderr, clixmlError(err.Error()))
		return 1
	}
	if raw, ok := out.(rawOutput); ok {
		fmt.Fprint(stdout, string(raw))
		return 0
	}
	b, err := json.Marshal(out)
	if err != nil {
		return 1
	}
	stdout.Write(b)
	stdout.Write([]byte("\r\n"))
	return 0
}

// notify sends op on ch unless its buffer is full: tests that do not
// listen must not block the host.
func notify(ch chan string, op string) {
	select {
	case ch <- op:
	default:
	}
}

// rawOutput is printed as is instead of as JSON.
type rawOutput string

// strict decodes an argument document into v, refusing unknown fields.
func strict(args []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("arguments do not decode: %v", err)
	}
	return nil
}

// opResults are the canned answers of the catalog's ops.
var opResults = map[string]any{
	ops.RegistryGet:      ops.RegistryValue{KeyExists: true, Exists: true, Kind: ops.KindDWord, Data: float64(1)},
	ops.RegistrySet:      ops.RegistryChange{Previous: ops.RegistryValue{KeyExists: true}, Current: ops.RegistryValue{KeyExists: true, Exists: true, Kind: ops.KindDWord, Data: float64(1)}},
	ops.RegistryDelete:   ops.RegistryChange{Previous: ops.RegistryValue{KeyExists: true, Exists: true, Kind: ops.KindDWord, Data: float64(1)}, Current: ops.RegistryValue{KeyExists: true}},
	ops.TimeRead:         ops.TimeReading{UTC: "2026-11-27T06:20:55.1234567Z", SkewTimeMinutes: 5},
	ops.TimeResync:       ops.CommandOutput{Commands: []ops.CommandRun{{Command: "w32tm /resync /rediscover", Output: "Sending resync command to local computer\r\nThe command completed successfully.\r\n"}}},
	ops.NetReach:         ops.NetReachResult{Results: []ops.ReachOutcome{{Host: "dc01", Port: 88, Protocol: "tcp", Reachable: true, State: "open", ElapsedMS: 2}}},
	ops.ReplSyncAll:      ops.CommandOutput{Commands: []ops.CommandRun{{Command: "repadmin /syncall dc01 /AdeP", Output: "SyncAll terminated with no errors.\r\n"}}},
	ops.ReplShow:         ops.CommandOutput{Commands: []ops.CommandRun{{Command: "repadmin /showrepl * /csv", Output: "showrepl_COLUMNS,Destination DSA Site\r\n"}}},
	ops.EventsQuery:      ops.EventsQueryResult{Events: []ops.Event{}},
	ops.ConnectorGet:     ops.ConnectorGetResult{Connectors: []ops.Connector{{Identity: `EX01\Default EX01`, Name: "Default EX01", Server: "EX01", TransportRole: "HubTransport", Bindings: []string{"0.0.0.0:2525"}, AuthMechanism: []string{"Tls", "Integrated"}, PermissionGroups: []string{"ExchangeUsers"}, Enabled: true}}},
	ops.ConnectorAddAuth: ops.ConnectorChange{Before: ops.Connector{Identity: `EX01\Default EX01`}, After: ops.Connector{Identity: `EX01\Default EX01`, AuthMechanism: []string{"Tls", "ExchangeServer"}}},
	ops.QueueGet:         ops.QueueGetResult{Queues: []ops.Queue{{Identity: `EX01\3`, DeliveryType: "SmtpRelayToRemoteAdSite", Status: "Retry", MessageCount: 4, LastError: "451 4.4.0 Primary target IP address responded with: \"454 4.7.0 Temporary authentication failure.\""}}},
	ops.QueueRetry:       ops.QueueGetResult{Queues: []ops.Queue{{Identity: `EX01\3`, Status: "Ready"}}},
}

// opArgs are the argument types of the catalog's ops.
func opArgs(op string) any {
	switch op {
	case ops.RegistryGet:
		return &ops.RegistryGetArgs{}
	case ops.RegistrySet:
		return &ops.RegistrySetArgs{}
	case ops.RegistryDelete:
		return &ops.RegistryDeleteArgs{}
	case ops.TimeRead:
		return &ops.TimeReadArgs{}
	case ops.TimeResync:
		return &ops.TimeResyncArgs{}
	case ops.NetReach:
		return &ops.NetReachArgs{}
	case ops.ReplSyncAll:
		return &ops.ReplSyncAllArgs{}
	case ops.ReplShow:
		return &ops.ReplShowArgs{}
	case ops.EventsQuery:
		return &ops.EventsQueryArgs{}
	case ops.ConnectorGet:
		return &ops.ConnectorGetArgs{}
	case ops.ConnectorAddAuth:
		return &ops.ConnectorAddAuthArgs{}
	case ops.QueueGet:
		return &ops.QueueGetArgs{}
	case ops.QueueRetry:
		return &ops.QueueRetryArgs{}
	case ops.UserScript:
		return &ops.UserScriptArgs{}
	case ops.Batch:
		return &ops.BatchArgs{}
	}
	return nil
}

func (r *opRunner) dispatch(ctx context.Context, op, script string, args []byte) (any, error) {
	switch op {
	case "test.sleep":
		var a struct {
			Seconds float64 `json:"seconds"`
		}
		if err := strict(args, &a); err != nil {
			return nil, err
		}
		t := time.NewTimer(time.Duration(a.Seconds * float64(time.Second)))
		defer t.Stop()
		select {
		case <-t.C:
			return map[string]bool{"slept": true}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	case "test.fail":
		var a struct {
			Secret string `json:"secret"`
		}
		if err := strict(args, &a); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("could not open %s: Access is denied.", a.Secret)
	case "test.size":
		return map[string]int{"script_bytes": len(script), "args_bytes": len(args)}, nil
	case "test.notjson":
		return rawOutput("Hello from a script that forgot ConvertTo-Json\r\n"), nil
	case "test.print":
		var a struct {
			Bytes int `json:"bytes"`
		}
		if err := strict(args, &a); err != nil {
			return nil, err
		}
		return rawOutput(`"` + strings.Repeat("x", a.Bytes) + `"`), nil
	}
	target := opArgs(op)
	if target == nil {
		return nil, fmt.Errorf("unknown op %s", op)
	}
	if err := strict(args, target); err != nil {
		return nil, err
	}
	switch a := target.(type) {
	case *ops.UserScriptArgs:
		return a.Input, nil
	case *ops.BatchArgs:
		res := ops.BatchResult{Results: []ops.BatchItemResult{}}
		for _, item := range a.Items {
			itemOp, _, ok := ops.ParseMarker(item.Script)
			itemArgs, _ := json.Marshal(item.Args)
			out, err := any(nil), fmt.Errorf("no marker")
			if ok {
				out, err = r.dispatch(ctx, itemOp, item.Script, itemArgs)
			}
			if err != nil {
				res.Results = append(res.Results, ops.BatchItemResult{ID: item.ID, Error: err.Error()})
				continue
			}
			res.Results = append(res.Results, ops.BatchItemResult{ID: item.ID, OK: true, Output: out})
		}
		return res, nil
	}
	return opResults[op], nil
}

// clixmlError renders an error as PowerShell writes it to standard error
// over WinRM.
func clixmlError(msg string) string {
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">")
	b.WriteString(`<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>`)
	for _, line := range []string{msg, "At line:1 char:1", "+ throw $message", "    + CategoryInfo          : OperationStopped: (:) [], RuntimeException", " "} {
		var esc strings.Builder
		for _, r := range line {
			switch r {
			case '<':
				esc.WriteString("&lt;")
			case '>':
				esc.WriteString("&gt;")
			case '&':
				esc.WriteString("&amp;")
			case '_':
				esc.WriteString("_x005F_")
			default:
				esc.WriteRune(r)
			}
		}
		fmt.Fprintf(&b, `<S S="Error">%s_x000D__x000A_</S>`, esc.String())
	}
	b.WriteString("</Objs>")
	return b.String()
}

// testScript is a script of the library's shape for op, padded to at
// least size bytes with comment lines.
func testScript(op string, size int) ops.Script {
	var b strings.Builder
	fmt.Fprintf(&b, "# rectify:op %s v1\r\nparam([string]$ArgsBase64)\r\n", op)
	for b.Len() < size {
		b.WriteString("# padding: scripts of any size travel over standard input, not the command line\r\n")
	}
	return ops.Script{Op: op, Version: 1, Text: b.String()}
}

// runOf builds a ScriptRun of op with args marshalled.
func runOf(t testing.TB, op string, args any) ops.ScriptRun {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return ops.ScriptRun{Script: testScript(op, 0), Args: b}
}
