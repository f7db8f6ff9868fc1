package directory

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

func TestFromAction(t *testing.T) {
	f := actions.And{
		actions.Equal{Attribute: "objectCategory", Value: "computer"},
		actions.Or{actions.Equal{Attribute: "sAMAccountName", Value: "EX01$"}, actions.Present{Attribute: "dNSHostName"}},
		actions.Not{Filter: actions.BitAnd{Attribute: "userAccountControl", Mask: 2}},
		actions.Substring{Attribute: "cn", Initial: "EX", Any: []string{"0"}, Final: "1"},
	}
	got, err := FromAction(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseFilter("(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=*))(!(userAccountControl:1.2.840.113556.1.4.803:=2))(cn=EX*0*1))")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromAction (-want +got):\n%s", diff)
	}
	if _, err := FromAction(nil); err == nil {
		t.Error("nil filter accepted")
	}
}
