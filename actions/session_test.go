package actions

import (
	"testing"

	"github.com/rectifyhq/rectify/ops"
)

// TestRefuseOnwardReadsOverManyHosts: a read that needs credentials beyond
// the session is refused before it runs when any host it runs on has a
// session that cannot delegate them, whether it names one host or a list
// of hosts (ShellProbe.Hosts); a read that needs nothing of the kind is
// never refused.
func TestRefuseOnwardReadsOverManyHosts(t *testing.T) {
	hosts := hostMap{
		"dc01": {Name: "dc01", Session: Session{Auth: "kerberos", Delegation: true}},
		"dc02": {Name: "dc02", Session: Session{Auth: "ntlm"}},
		"dc03": {Name: "dc03", Session: Session{Auth: "kerberos", Delegation: true}},
	}
	inst := Instance{Host: hosts["dc01"], Topology: hosts}
	sync := ops.Script{Op: ops.ReplSyncAll}
	tests := []struct {
		name    string
		probe   ShellProbe
		refused bool
	}{
		{"on a host that delegates", ShellProbe{Host: "dc03", Script: sync}, false},
		{"on a host that does not", ShellProbe{Host: "dc02", Script: sync}, true},
		{"over hosts that delegate", ShellProbe{Hosts: []string{"dc01", "dc03"}, Script: sync}, false},
		{"over hosts one of which does not", ShellProbe{Hosts: []string{"dc01", "dc02", "dc03"}, Script: sync}, true},
		{"a read that needs nothing beyond the session", ShellProbe{Hosts: []string{"dc02"}, Script: ops.Script{Op: ops.HostAddresses}}, false},
	}
	for _, tt := range tests {
		err := inst.RefuseOnwardReads([]Probe{{Name: "p", Shell: &tt.probe}})
		if (err != nil) != tt.refused {
			t.Errorf("%s: %v, want refused %v", tt.name, err, tt.refused)
		}
	}
}
