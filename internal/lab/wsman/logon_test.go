package wsman

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCommandsRunInTheShellsLogon checks that a command learns how its
// shell was authenticated: a WinRM logon over NTLM or Basic holds no
// credentials for a third machine, and the organisation model decides
// what may run from that.
func TestCommandsRunInTheShellsLogon(t *testing.T) {
	for _, tt := range []struct {
		name string
		ntlm bool
		want Logon
	}{
		{"ntlm", true, Logon{User: testUser, Mechanism: MechanismNTLM}},
		{"basic", false, Logon{User: testUser, Mechanism: MechanismBasic}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan Logon, 1)
			runner := RunnerFunc(func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
				got <- cmd.Logon
				return 0
			})
			l := newLab(t, func(o *Options) { o.Runner = runner })
			h := l.host(t, "ex01")
			client := l.masterzen(t, h, tt.ntlm, 10*time.Second)
			if _, _, _, err := client.RunWithString("hostname", ""); err != nil {
				t.Fatal(err)
			}
			logon := <-got
			if diff := cmp.Diff(tt.want, logon); diff != "" {
				t.Errorf("logon (-want +got):\n%s", diff)
			}
			if logon.CanAuthenticateOnwards() {
				t.Errorf("a %s logon can authenticate onwards", tt.name)
			}
		})
	}
}
