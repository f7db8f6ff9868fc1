package ops

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordingShell answers every run with output and remembers the runs.
type recordingShell struct {
	output string
	err    error
	runs   []ScriptRun
}

func (s *recordingShell) RunScript(_ context.Context, run ScriptRun) (ScriptResult, error) {
	s.runs = append(s.runs, run)
	return ScriptResult{Output: json.RawMessage(s.output)}, s.err
}

// hostShells hands out one Shell for one host.
type hostShells struct {
	host  string
	shell Shell
}

func (h hostShells) Shell(_ context.Context, host string) (Shell, error) {
	if host != h.host {
		return nil, errors.New("no such host " + host)
	}
	return h.shell, nil
}

var _ Shells = hostShells{}

func TestCallRunsTheOpAndDecodesItsAnswer(t *testing.T) {
	sh := &recordingShell{output: `{"previous":{"key_exists":true,"exists":true,"kind":"QWord","data":18446744073709551615},"current":{"key_exists":true,"exists":false},"key_created":false}`}
	got, err := Call[RegistryChange]{
		Op: RegistryDelete, Args: RegistryDeleteArgs{Path: `HKLM:\SOFTWARE\X`, Name: "v"}, Mutates: true, SensitiveArgs: true,
	}.Run(context.Background(), hostShells{"ex01", sh}, "ex01")
	if err != nil {
		t.Fatal(err)
	}
	want := RegistryChange{
		Previous: RegistryValue{KeyExists: true, Exists: true, Kind: KindQWord, Data: json.Number("18446744073709551615")},
		Current:  RegistryValue{KeyExists: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded answer (-want +got):\n%s", diff)
	}
	wantRun := ScriptRun{Script: MustScript(RegistryDelete), Args: json.RawMessage(`{"path":"HKLM:\\SOFTWARE\\X","name":"v"}`), Mutates: true, SensitiveArgs: true}
	if diff := cmp.Diff([]ScriptRun{wantRun}, sh.runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

func TestCallRunsAGivenScript(t *testing.T) {
	own := Script{Op: UserScript, Version: 1, Text: "# rectify:op user.script v1\nWrite-Output '{}'\n"}
	sh := &recordingShell{output: `{"state":[1,2]}`}
	got, err := Call[json.RawMessage]{Script: &own, Args: map[string]int{"desired": 1}}.Run(context.Background(), hostShells{"ex01", sh}, "ex01")
	if err != nil || string(got) != `{"state":[1,2]}` {
		t.Fatalf("got %s, %v", got, err)
	}
	if len(sh.runs) != 1 || sh.runs[0].Script != own || sh.runs[0].Mutates {
		t.Errorf("runs: %+v", sh.runs)
	}
}

func TestCallFailures(t *testing.T) {
	ctx := context.Background()
	transport := errors.New("connection reset")
	tests := []struct {
		name   string
		call   Call[QueueGetResult]
		shell  *recordingShell
		host   string
		answer bool // the error is an *AnswerError
		is     error
	}{
		{"unknown op", Call[QueueGetResult]{Op: "no.such.op"}, &recordingShell{}, "ex01", false, nil},
		{"unknown host", Call[QueueGetResult]{Op: QueueGet}, &recordingShell{}, "ex09", false, nil},
		{"arguments that do not encode", Call[QueueGetResult]{Op: QueueGet, Args: func() {}}, &recordingShell{}, "ex01", false, nil},
		{"the shell's error", Call[QueueGetResult]{Op: QueueGet}, &recordingShell{err: transport}, "ex01", false, transport},
		{"an answer of another shape", Call[QueueGetResult]{Op: QueueGet}, &recordingShell{output: `{"queues":"none"}`}, "ex01", true, nil},
		{"two documents", Call[QueueGetResult]{Op: QueueGet}, &recordingShell{output: `{"queues":[]} {}`}, "ex01", true, nil},
		{"no document", Call[QueueGetResult]{Op: QueueGet}, &recordingShell{output: ``}, "ex01", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.call.Run(ctx, hostShells{"ex01", tt.shell}, tt.host)
			if err == nil {
				t.Fatal("no error")
			}
			var ae *AnswerError
			if errors.As(err, &ae) != tt.answer {
				t.Errorf("error %v (%T): AnswerError %v, want %v", err, err, !tt.answer, tt.answer)
			}
			if tt.answer && (ae.Host != "ex01" || ae.Op != QueueGet) {
				t.Errorf("answer error names %s/%s: %v", ae.Host, ae.Op, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}
