package actions

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

type siteTopology map[string]Host

func (t siteTopology) Host(name string) (Host, bool) { h, ok := t[name]; return h, ok }

// TestSiteHostsPerHost checks which DCs an instance of each host is given: a DC
// leaves itself out, a host of a site with DCs gets those (whatever the
// case of the site's name), a host of a site without DCs or of no site
// gets them all.
func TestSiteHostsPerHost(t *testing.T) {
	hosts := siteTopology{
		"ex01": {Name: "ex01", Site: "HQ"}, "ex09": {Name: "ex09", Site: "branch"}, "ex20": {Name: "ex20", Site: "Lab"}, "ex30": {Name: "ex30"},
		"dc01": {Name: "dc01", Site: "HQ"}, "dc02": {Name: "dc02", Site: "HQ"}, "dc09": {Name: "dc09", Site: "Branch"}, "dc20": {Name: "dc20", Site: "Lab"},
	}
	cfg := NewConfig(cty.ObjectVal(map[string]cty.Value{
		"against": cty.ListVal([]cty.Value{cty.StringVal("dc01"), cty.StringVal("dc02"), cty.StringVal("dc09"), cty.StringVal("dc20"), cty.StringVal("gone")}),
	}))
	names := func(hs []Host) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	want := map[string][]string{
		"ex01": {"dc01", "dc02"}, "ex09": {"dc09"}, "ex20": {"dc20"}, "ex30": {"dc01", "dc02", "dc09", "dc20"},
		"dc01": {"dc02"}, "dc02": {"dc01"}, "dc09": {"dc01", "dc02", "dc20"}, "dc20": {"dc01", "dc02", "dc09"},
	}
	for name, h := range hosts {
		inst := Instance{Host: h, Config: cfg, Topology: hosts}
		if diff := cmp.Diff(want[name], names(inst.SiteHosts("against"))); diff != "" {
			t.Errorf("SiteHosts of %s (-want +got):\n%s", name, diff)
		}
	}
}
