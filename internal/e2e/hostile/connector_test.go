package hostile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/plans"
)

// TestConnectorIdentityAndServerAreData names the receive connector and
// its server with PowerShell that would disable authentication if it ran:
// the lab receives it only as exchange.connector.get arguments, finds no
// such connector, and no connector changes.
func TestConnectorIdentityAndServerAreData(t *testing.T) {
	for _, tc := range []struct {
		name, attr, value string
	}{
		{"identity", "identity", `EX02\Default EX02` + psInjection + `; Set-ReceiveConnector 'EX02\Default EX02' -AuthMechanism None #`},
		{"identity with a subexpression", "identity", `EX02\Default $(Set-ReceiveConnector -Identity 'EX02\Default EX02' -AuthMechanism None)`},
		{"server", "server", `EX02` + psBackticks + psInjection},
		{"server in Cyrillic", "server", strings.ToUpper(cyrillicEx01)},
		{"server of 64 KiB", "server", long64K()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, lab.KB979174())
			f.write(t, "pb/playbook.hcl", playbook("exchange.receive_connector_auth", "evil", "exchange", map[string]cty.Value{
				tc.attr: str(tc.value),
			}))
			before := map[string][]lab.ReceiveConnector{}
			for _, h := range f.lab.Exchange() {
				host, _ := f.lab.Host(h)
				before[h] = host.Connectors()
			}
			got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-out", "evil.plan", "pb")
			shown := f.rectify(t, "show", "-json", "evil.plan")
			if shown.code != 0 {
				t.Fatalf("show of the saved plan (plan exited %d): %s", got.code, shown)
			}
			var p plans.Plan
			if err := json.Unmarshal([]byte(shown.stdout), &p); err != nil {
				t.Fatalf("show -json: %v", err)
			}
			for _, host := range []string{"ex01", "ex02"} {
				in := instance(t, p, "step.evil["+host+"]")
				switch tc.attr {
				case "identity":
					// The identity is matched against the connectors read.
					if got.code != 0 || in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, "no such receive connector") {
						t.Errorf("%s: plan exit %d, %s %q", in.Address, got.code, in.Change.Action, in.Change.Reason)
					}
				case "server":
					// The server is an argument of exchange.connector.get,
					// which finds no such server: the host cannot be read.
					if got.code != 1 || !strings.Contains(in.Error, "couldn't be found") {
						t.Errorf("%s: plan exit %d, error %q", in.Address, got.code, clip(in.Error))
					}
				}
			}
			apply := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "evil.plan")
			t.Logf("apply: %s", apply)
			for _, h := range f.lab.Exchange() {
				host, _ := f.lab.Host(h)
				if diff := cmp.Diff(before[h], host.Connectors()); diff != "" {
					t.Errorf("%s's connectors changed (-before +after):\n%s", h, diff)
				}
				// The step's reads: the connectors' permission groups through
				// Exchange's endpoint, the host's addresses, its 1035 events.
				if ops := slices.Compact(sorted(opNames(f.lab.Received(h)))); !slices.Equal(ops, []string{"batch", "events.query", "exchange.connector.get", "host.addresses"}) {
					t.Errorf("%s received %v, want only the step's reads", h, ops)
				}
			}
			carried := f.checkInert(t, tc.value)
			for _, h := range f.lab.Exchange() {
				if tc.attr == "server" && !slices.Contains(carried[h], "exchange.connector.get") {
					t.Errorf("%s: the server name did not reach exchange.connector.get as data: %v", h, carried[h])
				}
				if tc.attr == "identity" && len(carried[h]) != 0 {
					t.Errorf("%s: the identity reached the host in %v, though no connector matched", h, carried[h])
				}
			}
			for _, run := range f.runs(t, "journal.db") {
				_, changes := f.history(t, "journal.db", fmt.Sprint(run.ID))
				for _, c := range changes {
					if c.Status == "applied" {
						t.Errorf("journal: run %d applied %s", run.ID, c.Address)
					}
				}
			}
		})
	}
}
