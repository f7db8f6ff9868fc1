package directory

import "testing"

func TestNormalizeDN(t *testing.T) {
	tests := []struct {
		name, a, b string
		equal      bool
	}{
		{"case", "CN=EX01,CN=Computers,DC=corp,DC=example,DC=com", "cn=ex01,cn=computers,dc=CORP,dc=example,dc=com", true},
		{"spaces", "CN=EX01, CN=Computers ,DC=corp", "cn=EX01,cn=Computers,dc=corp", true},
		{"escaped comma", `CN=Smith\, John,CN=Users,DC=corp`, `cn=smith\2C john,cn=users,dc=corp`, true},
		{"hex escape", `CN=caf\C3\A9,DC=corp`, "CN=café,DC=corp", true},
		{"multi-valued rdn order", "CN=a+OU=b,DC=corp", "OU=b+CN=a,DC=corp", true},
		{"different", "CN=EX01,DC=corp", "CN=EX02,DC=corp", false},
		{"escaped versus separator", `CN=a\,CN=b,DC=corp`, "CN=a,CN=b,DC=corp", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NormalizeDN(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := NormalizeDN(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if (a == b) != tt.equal {
				t.Errorf("NormalizeDN(%q) = %q, NormalizeDN(%q) = %q, want equal %v", tt.a, a, tt.b, b, tt.equal)
			}
		})
	}
}

func TestParentAndUnder(t *testing.T) {
	n, err := NormalizeDN(`CN=a\,b,CN=Computers,DC=corp`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parentNDN(n), "cn=computers,dc=corp"; got != want {
		t.Errorf("parentNDN(%q) = %q, want %q", n, got, want)
	}
	if !isUnder(n, "dc=corp") || isUnder(n, "cn=corp") || isUnder("dc=xcorp", "dc=corp") {
		t.Error("isUnder misjudges ancestry")
	}
	if got := DomainDNSName("DC=Corp,DC=Example,DC=com"); got != "corp.example.com" {
		t.Errorf("DomainDNSName = %q", got)
	}
}
