package ad

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

func TestSPNDuplicates(t *testing.T) {
	cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{
		"services": cty.ListVal([]cty.Value{cty.StringVal("SMTPSVC")}), "page_size": cty.NumberIntVal(1000), "kb_step": cty.StringVal("3"),
	}))
	inst := actions.Instance{Host: actions.Host{Name: "dc01", Domain: "corp.example.com"}, Targets: []string{"dc01", "dc02"}, Config: cfg}
	entries := []actions.Entry{
		computer("CN=EX02,CN=Computers,DC=corp", "EX02$", "4096", "SMTPSVC/ex02.corp.example.com", "HOST/EX02", "HOST/dup"),
		computer("CN=EX02-OLD,CN=Computers,DC=corp", "EX02-OLD$", "4098", "smtpsvc/EX02.corp.example.com", "HOST/dup"),
		computer("CN=EX01,CN=Computers,DC=corp", "EX01$", "4096", "SMTPSVC/ex01.corp.example.com"),
	}
	st, err := SPNDuplicates{}.Observe(inst, actions.Results{"spns": {Entries: entries}})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := SPNDuplicates{}.Plan(inst, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"duplicate SPN SMTPSVC/ex02.corp.example.com held by EX02$, EX02-OLD$",
		"1 duplicate SPN(s) among 3 accounts scanned; remove each from the account that should not hold it (setspn -D) after checking what runs under it",
	}
	if diff := cmp.Diff(want, ch.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	other := inst
	other.Host = actions.Host{Name: "dc02", Domain: "corp.example.com"}
	if ps, _ := (SPNDuplicates{}).Probes(other); len(ps) != 0 {
		t.Error("the scan runs on more than one target")
	}
}
