package winrm

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// TestExchangesOfOneCommand counts, on the host, what one script op costs
// on a new Shell and what a second one costs: one connection, authenticated
// once, whose AUTHENTICATE message carries the first SOAP message (sealed
// over HTTP); Command, Send and Receive on that connection; no terminate
// signal for a command that reported its exit code until another command
// runs in the shell; and the shell's Delete on Close.
func TestExchangesOfOneCommand(t *testing.T) {
	tests := []struct {
		name    string
		labOpts func(*wsman.Options)
		edit    func(*Config)
		// first is what a new Shell's first command and Close cost; second
		// is what two commands and Close cost.
		first, second wsman.Counts
	}{
		{
			name:    "http with message encryption",
			labOpts: func(o *wsman.Options) { o.HTTP, o.CA = true, nil },
			first: wsman.Counts{HTTP: 6, Connections: 1, Unauthorized: 1, Handshakes: 1, Encrypted: 5,
				Create: 1, Command: 1, Send: 1, Receive: 1, Delete: 1},
			second: wsman.Counts{HTTP: 10, Connections: 1, Unauthorized: 1, Handshakes: 1, Encrypted: 9,
				Create: 1, Command: 2, Send: 2, Receive: 2, Signal: 1, Delete: 1},
		},
		{
			name: "https with ntlm",
			first: wsman.Counts{HTTP: 6, Connections: 1, Unauthorized: 1, Handshakes: 1,
				Create: 1, Command: 1, Send: 1, Receive: 1, Delete: 1},
			second: wsman.Counts{HTTP: 10, Connections: 1, Unauthorized: 1, Handshakes: 1,
				Create: 1, Command: 2, Send: 2, Receive: 2, Signal: 1, Delete: 1},
		},
		{
			name:    "https with basic",
			labOpts: func(o *wsman.Options) { o.DisableNTLM = true },
			edit:    func(c *Config) { c.Auth = AuthBasic },
			first: wsman.Counts{HTTP: 5, Connections: 1,
				Create: 1, Command: 1, Send: 1, Receive: 1, Delete: 1},
			second: wsman.Counts{HTTP: 9, Connections: 1,
				Create: 1, Command: 2, Send: 2, Receive: 2, Signal: 1, Delete: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for commands, want := range map[int]wsman.Counts{1: tt.first, 2: tt.second} {
				l := newTestLab(t, tt.labOpts)
				h, cfg := l.host(t, "ex01")
				if tt.edit != nil {
					tt.edit(&cfg)
				}
				s, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				for range commands {
					if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, h.Counts()); diff != "" {
					t.Errorf("%d command(s): host counts (-want +got):\n%s", commands, diff)
				}
				if st := s.Stats(); st.Exchanges != want.HTTP || st.Dials != want.Connections || st.Handshakes != want.Handshakes {
					t.Errorf("%d command(s): client stats %+v disagree with the host's %+v", commands, st, want)
				}
			}
		})
	}
}
