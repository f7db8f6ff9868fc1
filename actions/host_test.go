package actions

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

type hostMap map[string]Host

func (m hostMap) Host(n string) (Host, bool) { h, ok := m[n]; return h, ok }

func TestNetBIOS(t *testing.T) {
	for _, tt := range []struct {
		h    Host
		want string
	}{
		{Host{Name: "ex01", FQDN: "ex01.corp.example.com"}, "EX01"},
		{Host{Name: "mail-a"}, "MAIL-A"},
		{Host{Name: "x", FQDN: "Srv7.Branch.Example"}, "SRV7"},
	} {
		if got := tt.h.NetBIOS(); got != tt.want {
			t.Errorf("%+v: NetBIOS() = %q, want %q", tt.h, got, tt.want)
		}
	}
}

func TestSiteHosts(t *testing.T) {
	hosts := hostMap{
		"ex01": {Name: "ex01", Site: "HQ"}, "ex09": {Name: "ex09", Site: "Lab"},
		"dc01": {Name: "dc01", Site: "HQ"}, "dc02": {Name: "dc02", Site: "hq"}, "dc09": {Name: "dc09", Site: "Branch"},
	}
	cfg := NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against": cty.ListVal([]cty.Value{cty.StringVal("dc01"), cty.StringVal("dc02"), cty.StringVal("dc09"), cty.StringVal("gone")}),
	}))
	names := func(hs []Host) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"dc01", "dc02"}, names(Instance{Host: hosts["ex01"], Config: cfg, Topology: hosts}.SiteHosts("against"))); diff != "" {
		t.Errorf("same site (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dc01", "dc02", "dc09"}, names(Instance{Host: hosts["ex09"], Config: cfg, Topology: hosts}.SiteHosts("against"))); diff != "" {
		t.Errorf("no DC in the site (-want +got):\n%s", diff)
	}
	if got := (Instance{Host: hosts["dc01"], Config: cfg, Topology: hosts}).SiteHosts("against"); len(names(got)) != 1 || got[0].Name != "dc02" {
		t.Errorf("a DC target is compared with itself: %v", names(got))
	}
}
