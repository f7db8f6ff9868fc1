package builtin

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRegistryHoldsEveryAction(t *testing.T) {
	want := []string{
		"ad.replication", "ad.spn", "ad.spn_duplicates", "exchange.queue", "exchange.receive_connector_auth", "exchange.ticket_purge",
		"net.kerberos_ports", "windows.event_query", "windows.powershell", "windows.registry_value", "windows.time_skew",
	}
	r := Registry()
	if diff := cmp.Diff(want, r.IDs()); diff != "" {
		t.Errorf("registered actions (-want +got):\n%s", diff)
	}
	for _, id := range r.IDs() {
		a, _ := r.Lookup(id)
		s := a.Schema()
		if s.Description == "" {
			t.Errorf("%s has no description", id)
		}
		seen := map[string]bool{}
		for _, attr := range s.Attributes {
			if seen[attr.Name] {
				t.Errorf("%s declares %q twice", id, attr.Name)
			}
			seen[attr.Name] = true
			switch attr.Name {
			case "targets", "depends_on", "triggered_by", "description", "auto_correct":
				t.Errorf("%s declares the meta-argument %q", id, attr.Name)
			}
		}
	}
}
