package lab

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// TestTransportFaults injects faults into one host's WinRM endpoint and a
// DC's LDAP server at run time and sees real clients fail, then recover.
func TestTransportFaults(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	tests := []struct {
		name   string
		faults wsman.Faults
		want   string // in the client's error
	}{
		{"unreachable", wsman.Faults{Unreachable: true}, "connection refused"},
		{"401", wsman.Faults{Unauthorized: true}, "401"},
		// masterzen reads a 500 with a SOAP fault as an answer and fails
		// later, with an error of its own.
		{"500", wsman.Faults{ServerError: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := l.SetWinRMFaults("ex01", tt.faults); err != nil {
				t.Fatal(err)
			}
			c := client(t, l, "ex01", false)
			_, err := c.RunWithInput("hostname", &strings.Builder{}, &strings.Builder{}, strings.NewReader(""))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
			if err := l.SetWinRMFaults("ex01", wsman.Faults{}); err != nil {
				t.Fatal(err)
			}
			if r := run(t, client(t, l, "ex01", false), "hostname"); r.Stdout != "EX01\r\n" {
				t.Errorf("after clearing the fault: %+v", r)
			}
		})
	}

	// A slow host still answers, after its latency.
	if err := l.SetWinRMFaults("ex02", wsman.Faults{Latency: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var reading ops.TimeKeeping
	runOp(t, client(t, l, "ex02", false), ops.TimeConfig, ops.TimeConfigArgs{}, &reading)
	if reading.IsDC {
		t.Errorf("ex02 reads as a DC: %+v", reading)
	}

	// An LDAP restart drops the bound connection; a new one works after it.
	conn := dialLDAP(t, l, "dc01")
	search := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"currentTime"}, nil)
	if _, err := conn.Search(search); err != nil {
		t.Fatal(err)
	}
	if err := l.RestartLDAP(context.Background(), "dc01", 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Search(search); err == nil {
		t.Error("a connection survived the LDAP server's restart")
	}
	if _, err := dialLDAP(t, l, "dc01").Search(search); err != nil {
		t.Errorf("after the restart: %v", err)
	}
}
