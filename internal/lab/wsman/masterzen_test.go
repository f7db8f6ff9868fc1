package wsman

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMasterzenRunsCommandWithStdin drives the masterzen/winrm client, the
// one rectify's WinRM transport builds on, against the server over HTTPS
// with the lab CA verified, with Basic and with NTLM.
func TestMasterzenRunsCommandWithStdin(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	type result struct {
		Stdout, Stderr string
		Code           int
	}
	tests := []struct {
		name    string
		ntlm    bool
		command string
		stdin   string
		want    result
	}{
		{"basic stdin", false, "upper 7", "hello from stdin\n", result{"HELLO FROM STDIN\n", "read 17 bytes", 7}},
		{"ntlm stdin", true, "upper 0", "ntlm body", result{"NTLM BODY", "read 9 bytes", 0}},
		{"ntlm unknown program", true, "frobnicate /x", "", result{"",
			"'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 1}},
		{"basic echo", false, `echo "quoted words" plain`, "", result{"quoted words plain\r\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := l.masterzen(t, h, tt.ntlm, 30*time.Second)
			// RunWithInput sends stdin in Send requests and ends it with
			// End="true" (RunWithString would end it only after the
			// command exits, which a program reading to EOF never does).
			var out, errOut strings.Builder
			code, err := client.RunWithInput(tt.command, &out, &errOut, strings.NewReader(tt.stdin))
			got := result{Stdout: out.String(), Stderr: errOut.String(), Code: code}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
	c := h.Counts()
	if c.Create != int64(len(tests)) || c.Delete != int64(len(tests)) || c.Command != int64(len(tests)) {
		t.Errorf("counts %+v: want %d creates, commands and deletes", c, len(tests))
	}
	if c.Handshakes == 0 {
		t.Errorf("counts %+v: NTLM runs made no handshake", c)
	}
	if n := h.ShellCount(); n != 0 {
		t.Errorf("%d shells left open after the clients deleted theirs", n)
	}
}

// TestMasterzenPollsThroughOperationTimeout runs a command that outlasts the
// client's OperationTimeout: the server must answer w:TimedOut and the
// client must poll again until the command ends.
func TestMasterzenPollsThroughOperationTimeout(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	client := l.masterzen(t, h, false, 30*time.Second)
	client.Parameters.Timeout = "PT0.2S"
	var out, errOut strings.Builder
	code, err := client.Run("sleep 1500ms", &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if code != 0 || out.String() != "slept" {
		t.Fatalf("code %d stdout %q stderr %q", code, out.String(), errOut.String())
	}
	c := h.Counts()
	if c.Receive < 2 || c.Faults < 1 {
		t.Errorf("counts %+v: want several Receive polls and w:TimedOut faults", c)
	}
}
