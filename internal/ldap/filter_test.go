package ldap

import (
	"fmt"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// hostile holds the values every filter builder must treat as data.
var hostile = map[string]string{
	"star":      "*",
	"parens":    "a)(objectClass=*",
	"backslash": `a\2a\`,
	"nul":       "a\x00b",
	"all":       "*()\\\x00",
	"utf8":      "ümlaut/ex01",
	"injection": "x)(|(servicePrincipalName=*",
	"long":      strings.Repeat("(*)", 64<<10/3) + "\\",
}

func TestRenderFilter(t *testing.T) {
	tests := []struct {
		name   string
		filter actions.Filter
		want   string
	}{
		{"equal", actions.Equal{Attribute: "sAMAccountName", Value: "EX01$"}, "(sAMAccountName=EX01$)"},
		{"equal metacharacters", actions.Equal{Attribute: "cn", Value: "*()\\\x00"}, `(cn=\2a\28\29\5c\00)`},
		{"equal empty", actions.Equal{Attribute: "cn", Value: ""}, "(cn=)"},
		{"present", actions.Present{Attribute: "servicePrincipalName"}, "(servicePrincipalName=*)"},
		{"bitand", actions.BitAnd{Attribute: "userAccountControl", Mask: 8192}, "(userAccountControl:1.2.840.113556.1.4.803:=8192)"},
		{"substring", actions.Substring{Attribute: "cn", Initial: "EX*", Any: []string{"(a)"}, Final: `\`}, `(cn=EX\2a*\28a\29*\5c)`},
		{"substring final only", actions.Substring{Attribute: "cn", Final: "01"}, "(cn=*01)"},
		{"not", actions.Not{Filter: actions.Present{Attribute: "cn"}}, "(!(cn=*))"},
		{"and or", actions.And{
			actions.Equal{Attribute: "objectCategory", Value: "computer"},
			actions.Or{actions.Equal{Attribute: "sAMAccountName", Value: "EX01$"}, actions.Equal{Attribute: "dNSHostName", Value: "ex01.corp.example.com"}},
		}, "(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=ex01.corp.example.com)))"},
		{"oid attribute", actions.Present{Attribute: "2.5.4.3"}, "(2.5.4.3=*)"},
		{"non-ascii escaped", actions.Equal{Attribute: "cn", Value: "ü"}, `(cn=\c3\bc)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RenderFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RenderFilter (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderFilterRefuses(t *testing.T) {
	tests := []struct {
		name   string
		filter actions.Filter
	}{
		{"nil", nil},
		{"empty and", actions.And{}},
		{"empty or", actions.Or{}},
		{"attribute with paren", actions.Equal{Attribute: "cn)(x", Value: "a"}},
		{"attribute with equals", actions.Present{Attribute: "cn=x"}},
		{"attribute with option", actions.Present{Attribute: "cn;binary"}},
		{"attribute with space", actions.Equal{Attribute: "cn ", Value: "a"}},
		{"attribute empty", actions.Present{Attribute: ""}},
		{"attribute leading digit", actions.Present{Attribute: "1cn"}},
		{"bad oid", actions.Present{Attribute: "1..2"}},
		{"substring without parts", actions.Substring{Attribute: "cn"}},
		{"substring empty middle", actions.Substring{Attribute: "cn", Initial: "a", Any: []string{""}}},
		{"nested nil", actions.And{actions.Not{}}},
		{"pointer", &actions.Equal{Attribute: "cn", Value: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := RenderFilter(tt.filter); err == nil {
				t.Errorf("RenderFilter = %q, want an error", got)
			}
		})
	}
}

// assertion is one leaf of a compiled filter: its kind, attribute and the
// exact bytes it will match.
type assertion struct {
	Kind, Attribute, Value string
}

// TestHostileValuesStayLiteral feeds filter metacharacters, NUL and a 64 KB
// value through every builder, compiles the rendered text as go-ldap sends
// it, and checks that each value reaches the wire byte for byte as one
// assertion: nothing in a value can add a clause or a wildcard.
func TestHostileValuesStayLiteral(t *testing.T) {
	for name, v := range hostile {
		builders := []struct {
			name   string
			filter actions.Filter
			want   []assertion
		}{
			{"equal", actions.Equal{Attribute: "servicePrincipalName", Value: v},
				[]assertion{{"equal", "servicePrincipalName", v}}},
			{"substring", actions.Substring{Attribute: "cn", Initial: v, Any: []string{v}, Final: v},
				[]assertion{{"initial", "cn", v}, {"any", "cn", v}, {"final", "cn", v}}},
			{"not", actions.Not{Filter: actions.Equal{Attribute: "cn", Value: v}},
				[]assertion{{"equal", "cn", v}}},
			{"and/or", actions.And{actions.Or{actions.Equal{Attribute: "a", Value: v}, actions.Equal{Attribute: "b", Value: v}}, actions.Present{Attribute: "c"}},
				[]assertion{{"equal", "a", v}, {"equal", "b", v}, {"present", "c", ""}}},
			{"holders batch", batchEqual(attrSPN, []string{v, "SMTP/" + v}, maxFilterBytes)[0],
				nil},
		}
		for _, b := range builders {
			t.Run(name+"/"+b.name, func(t *testing.T) {
				text, err := RenderFilter(b.filter)
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsRune(text, 0) {
					t.Fatal("rendered filter carries a raw NUL")
				}
				packet, err := goldap.CompileFilter(text)
				if err != nil {
					t.Fatalf("go-ldap cannot compile the rendered filter: %v", err)
				}
				got := leaves(packet)
				want := b.want
				if want == nil { // the Holders batch: every value, in order
					for _, f := range b.filter.(actions.Or) {
						eq := f.(actions.Equal)
						want = append(want, assertion{"equal", eq.Attribute, eq.Value})
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("compiled assertions (-want +got):\n%s", truncate(diff))
				}
			})
		}
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// leaves walks a compiled filter and lists its assertions.
func leaves(p *ber.Packet) []assertion {
	var out []assertion
	switch p.Tag {
	case goldap.FilterAnd, goldap.FilterOr, goldap.FilterNot:
		for _, c := range p.Children {
			out = append(out, leaves(c)...)
		}
	case goldap.FilterEqualityMatch:
		out = append(out, assertion{"equal", p.Children[0].Data.String(), p.Children[1].Data.String()})
	case goldap.FilterPresent:
		out = append(out, assertion{"present", p.Data.String(), ""})
	case goldap.FilterSubstrings:
		attr := p.Children[0].Data.String()
		kinds := map[ber.Tag]string{goldap.FilterSubstringsInitial: "initial", goldap.FilterSubstringsAny: "any", goldap.FilterSubstringsFinal: "final"}
		for _, c := range p.Children[1].Children {
			out = append(out, assertion{kinds[c.Tag], attr, c.Data.String()})
		}
	default:
		out = append(out, assertion{fmt.Sprintf("tag %d", p.Tag), "", ""})
	}
	return out
}

func TestBatchEqualStaysUnderLimit(t *testing.T) {
	var spns []string
	for i := range 2000 {
		spns = append(spns, fmt.Sprintf("SMTPSVC/host%04d.corp.example.com", i))
	}
	batches := batchEqual(attrSPN, spns, maxFilterBytes)
	if len(batches) < 2 {
		t.Fatalf("2000 SPNs fit in %d batch; want several under %d bytes", len(batches), maxFilterBytes)
	}
	var total int
	for i, b := range batches {
		text, err := RenderFilter(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(text) > maxFilterBytes {
			t.Errorf("batch %d renders to %d bytes, over %d", i, len(text), maxFilterBytes)
		}
		total += len(b.(actions.Or))
	}
	if total != len(spns) {
		t.Errorf("batches hold %d terms, want %d", total, len(spns))
	}
}

func TestKBSPNs(t *testing.T) {
	tests := []struct {
		host, fqdn string
		services   []string
		want       []string
	}{
		{"ex01", "EX01.corp.example.com", nil, []string{"SMTP/EX01", "SMTP/ex01.corp.example.com", "SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"}},
		{"EX01$", "ex01.corp.example.com.", []string{"SMTPSVC"}, []string{"SMTPSVC/EX01", "SMTPSVC/ex01.corp.example.com"}},
		{"EX01", "", nil, []string{"SMTP/EX01", "SMTPSVC/EX01"}},
		{"", "", nil, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, KBSPNs(tt.host, tt.fqdn, tt.services)); diff != "" {
			t.Errorf("KBSPNs(%q, %q, %v) (-want +got):\n%s", tt.host, tt.fqdn, tt.services, diff)
		}
	}
}
