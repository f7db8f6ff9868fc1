package directory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		text string
		want Filter
	}{
		{"(objectCategory=computer)", Equal("objectCategory", "computer")},
		{"(servicePrincipalName=*)", Present("servicePrincipalName")},
		{"(cn=EX*)", Substrings("cn", "EX", nil, "")},
		{"(cn=*a*b*c)", Substrings("cn", "", []string{"a", "b"}, "c")},
		{`(cn=a\2ab\28\29\5c)`, Equal("cn", `a*b()\`)},
		{"(userAccountControl:1.2.840.113556.1.4.803:=8192)", Extensible("userAccountControl", MatchBitAnd, "8192")},
		{"(uSNChanged>=10)", GreaterOrEqual("uSNChanged", "10")},
		{"(uSNChanged<=10)", LessOrEqual("uSNChanged", "10")},
		{"(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=ex01.corp.example.com)))",
			And(Equal("objectCategory", "computer"), Or(Equal("sAMAccountName", "EX01$"), Equal("dNSHostName", "ex01.corp.example.com")))},
		{"(!(cn=a))", Not(Equal("cn", "a"))},
		{"(&)", And()},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := ParseFilter(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFilter (-want +got):\n%s", diff)
			}
			again, err := ParseFilter(got.String())
			if err != nil {
				t.Fatalf("reparse %q: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("String does not round-trip (-first +second):\n%s", diff)
			}
		})
	}
}

func TestParseFilterRejects(t *testing.T) {
	deep := ""
	for range maxFilterDepth + 2 {
		deep += "(!"
	}
	deep += "(a=b)"
	for range maxFilterDepth + 2 {
		deep += ")"
	}
	for _, text := range []string{"", "cn=a", "(cn=a", "(cn=a))", "((cn=a))", "(=a)", `(cn=\zz)`, `(cn=a\)`, "(c n=a)", "(cn=a**b)", deep} {
		if _, err := ParseFilter(text); err == nil {
			t.Errorf("ParseFilter(%q) accepted", text)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	root := "DC=corp,DC=example,DC=com"
	computer := Entry{DN: "CN=EX01,CN=Computers," + root, Attributes: map[string][]string{
		"objectClass":          {"top", "person", "organizationalPerson", "user", "computer"},
		"objectCategory":       {CategoryDN("computer", root)},
		"sAMAccountName":       {"EX01$"},
		"dNSHostName":          {"ex01.corp.example.com"},
		"servicePrincipalName": {"SMTPSVC/ex01.corp.example.com", "HOST/EX01"},
		"userAccountControl":   {"4096"},
		"objectGUID":           {"\x01\x02AB"},
	}}
	dc := Entry{DN: "CN=DC01,OU=Domain Controllers," + root, Attributes: map[string][]string{
		"objectClass":        {"top", "computer"},
		"objectCategory":     {CategoryDN("computer", root)},
		"userAccountControl": {"532480"},
	}}
	tests := []struct {
		filter string
		ex, dc bool
	}{
		{"(objectCategory=computer)", true, true},
		{"(objectCategory=Computer)", true, true},
		{"(objectCategory=CN=Computer,CN=Schema,CN=Configuration," + root + ")", true, true},
		{"(objectCategory=cn=computer, cn=schema,cn=configuration,dc=CORP,dc=example,dc=com)", true, true},
		{"(objectCategory=person)", false, false},
		{"(objectClass=computer)", true, true},
		{"(objectClass=*)", true, true},
		{"(servicePrincipalName=smtpsvc/EX01.CORP.EXAMPLE.COM)", true, false},
		{"(servicePrincipalName=SMTP/ex01.corp.example.com)", false, false},
		{"(servicePrincipalName=*)", true, false},
		{"(servicePrincipalName=smtpsvc/*)", true, false},
		{"(servicePrincipalName=*/EX01)", true, false},
		{"(sAMAccountName=ex01$)", true, false},
		{"(dNSHostName=EX01.corp.example.com)", true, false},
		{"(userAccountControl=4096)", true, false},
		{"(userAccountControl=04096)", true, false},
		{"(userAccountControl:1.2.840.113556.1.4.803:=8192)", false, true},
		{"(userAccountControl:1.2.840.113556.1.4.803:=532480)", false, true},
		{"(userAccountControl:1.2.840.113556.1.4.803:=12288)", false, false},
		{"(userAccountControl:1.2.840.113556.1.4.804:=12288)", true, true},
		{"(userAccountControl:1.2.840.113556.1.4.803:=2)", false, false},
		{"(!(userAccountControl:1.2.840.113556.1.4.803:=2))", true, true},
		{"(userAccountControl>=8192)", false, true},
		{"(userAccountControl<=8192)", true, false},
		{"(userAccountControl=abc)", false, false},
		{"(!(userAccountControl=abc))", false, false},
		{"(objectGUID=\\01\\02AB)", true, false},
		{"(objectGUID=\\01\\02ab)", false, false},
		{"(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=nope)))", true, false},
		{"(distinguishedName=cn=ex01,cn=computers,dc=corp,dc=example,dc=com)", true, false},
		{"(cn:1.2.3.4:=x)", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := ParseFilter(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(computer); got != tt.ex {
				t.Errorf("EX01: Match = %v, want %v", got, tt.ex)
			}
			if got := f.Match(dc); got != tt.dc {
				t.Errorf("DC01: Match = %v, want %v", got, tt.dc)
			}
		})
	}
}

// FuzzParseFilter checks that whatever the text parser accepts renders back
// to text that parses to the same filter, and that evaluation never fails.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=x)))", "(cn=*a*b*)",
		`(cn=\28\29)`, "(userAccountControl:1.2.840.113556.1.4.803:=2)", "(!(a>=1))", "(cn:dn:2.5.13.5:=x)"} {
		f.Add(s)
	}
	e := Entry{DN: "CN=EX01,DC=corp", Attributes: map[string][]string{"cn": {"EX01"}, "userAccountControl": {"4096"}, "objectCategory": {"CN=Computer,CN=Schema,CN=Configuration,DC=corp"}}}
	f.Fuzz(func(t *testing.T, text string) {
		parsed, err := ParseFilter(text)
		if err != nil {
			return
		}
		again, err := ParseFilter(parsed.String())
		if err != nil {
			t.Fatalf("%q renders as %q, which does not parse: %v", text, parsed.String(), err)
		}
		if diff := cmp.Diff(parsed, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%q does not round-trip (-first +second):\n%s", text, diff)
		}
		_ = parsed.Match(e)
	})
}
