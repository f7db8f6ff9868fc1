package inventory

import "testing"

func TestNames(t *testing.T) {
	tests := []struct {
		in            string
		fqdn, address bool
	}{
		{in: "ex01.corp.example.com", fqdn: true, address: true},
		{in: "ex01.corp.example.com.", fqdn: true, address: true},
		{in: "EX-01.Corp.Example.COM", fqdn: true, address: true},
		{in: "ex01", fqdn: false, address: true},
		{in: "192.0.2.1", fqdn: false, address: true},
		{in: "ex01.corp.example.c0m", fqdn: true, address: true},
		{in: "2001:db8::1", fqdn: false, address: true},
		{in: "fe80::1%eth0", fqdn: false, address: false},
		{in: "192.0.2.1:5986", fqdn: false, address: false},
		{in: "-ex.corp.example.com", fqdn: false, address: false},
		{in: "ex-.corp.example.com", fqdn: false, address: false},
		{in: "ex..example.com", fqdn: false, address: false},
		{in: "ex_01.example.com", fqdn: false, address: false},
		{in: "", fqdn: false, address: false},
		{in: ".", fqdn: false, address: false},
	}
	for _, tt := range tests {
		if got := ValidFQDN(tt.in); got != tt.fqdn {
			t.Errorf("ValidFQDN(%q) = %v, want %v", tt.in, got, tt.fqdn)
		}
		if got := validAddress(tt.in); got != tt.address {
			t.Errorf("validAddress(%q) = %v, want %v", tt.in, got, tt.address)
		}
	}
}

func TestCheckLDAPURL(t *testing.T) {
	tests := []struct {
		url, scheme string
		bad         bool
	}{
		{url: "ldaps://dc01.corp.example.com", scheme: "ldaps"},
		{url: "ldaps://dc01.corp.example.com:3269/", scheme: "ldaps"},
		{url: "ldap://192.0.2.10:389", scheme: "ldap"},
		{url: "ldaps://[2001:db8::10]:636", scheme: "ldaps"},
		{url: "https://dc01", bad: true},
		{url: "ldaps://", bad: true},
		{url: "ldaps://dc01:0", bad: true},
		{url: "ldaps://dc01:99999", bad: true},
		{url: "ldaps://dc01/DC=corp", bad: true},
		{url: "ldaps://dc01?x", bad: true},
		{url: "ldaps://u:p@dc01", bad: true},
		{url: "::", bad: true},
	}
	for _, tt := range tests {
		scheme, problem := checkLDAPURL(tt.url)
		if (problem != "") != tt.bad || scheme != tt.scheme {
			t.Errorf("checkLDAPURL(%q) = %q, %q", tt.url, scheme, problem)
		}
	}
}

func TestBaseDNOf(t *testing.T) {
	if got := baseDNOf("Corp.Example.com."); got != "DC=corp,DC=example,DC=com" {
		t.Errorf("baseDNOf = %q", got)
	}
}
