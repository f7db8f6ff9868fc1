package discover

import (
	"context"
	"errors"
	"testing"
)

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name  string
		addrs []string
		err   error
		want  string
	}{
		{"IPv4 preferred", []string{"2001:db8::5", "10.0.0.5"}, nil, "10.0.0.5"},
		{"IPv4 in IPv6", []string{"::ffff:10.0.0.6"}, nil, "10.0.0.6"},
		{"IPv6 only", []string{"fe80::1%eth0", "2001:db8::5"}, nil, "2001:db8::5"},
		{"nothing usable", []string{"not-an-address"}, nil, ""},
		{"lookup fails", nil, errors.New("no such host"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Hosts: []Host{{Name: "ex01", FQDN: "ex01.corp.example.com"}}}
			err := r.Resolve(context.Background(), func(_ context.Context, host string) ([]string, error) {
				if host != "ex01.corp.example.com" {
					t.Errorf("looked up %q", host)
				}
				return tc.addrs, tc.err
			})
			if tc.want == "" {
				if err == nil {
					t.Errorf("no error; address %q", r.Hosts[0].Address)
				}
				return
			}
			if err != nil || r.Hosts[0].Address != tc.want {
				t.Errorf("address %q, error %v; want %q", r.Hosts[0].Address, err, tc.want)
			}
		})
	}
}
