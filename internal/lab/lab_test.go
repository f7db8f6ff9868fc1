package lab

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/ops"
)

// TestReadsThroughWinRM reads, with masterzen/winrm over HTTPS verified
// against the lab CA, the Kerberos LogLevel, the receive connectors and the
// replication status of the KB979174 scenario.
func TestReadsThroughWinRM(t *testing.T) {
	l := startLab(t, KB979174(), nil)

	ex01 := client(t, l, "ex01", true)
	var logLevel ops.RegistryValue
	runOp(t, ex01, ops.RegistryGet, ops.RegistryGetArgs{Path: `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`, Name: "LogLevel"}, &logLevel)
	if diff := cmp.Diff(ops.RegistryValue{}, logLevel); diff != "" {
		t.Errorf("ex01 LogLevel (-want +got):\n%s", diff)
	}
	ex02 := client(t, l, "ex02", false)
	runOp(t, ex02, ops.RegistryGet, ops.RegistryGetArgs{Path: `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`, Name: "LogLevel"}, &logLevel)
	if diff := cmp.Diff(ops.RegistryValue{KeyExists: true}, logLevel); diff != "" {
		t.Errorf("ex02 LogLevel (-want +got):\n%s", diff)
	}

	var conns ops.ConnectorGetResult
	endpoint, cred := exchange(l, "ex01")
	runOp(t, ex01, ops.ConnectorGet, ops.ConnectorGetArgs{Endpoint: endpoint, Credential: cred, Server: "EX02"}, &conns)
	want := ops.Connector{
		Identity: `EX02\Default EX02`, Name: "Default EX02", Server: "EX02", TransportRole: "HubTransport",
		Bindings:         []string{"0.0.0.0:2525", "[::]:2525"},
		RemoteIPRanges:   []string{"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0.0.0.0-255.255.255.255"},
		AuthMechanism:    []string{"Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS"},
		PermissionGroups: []string{"ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers"},
		Enabled:          true,
	}
	if len(conns.Connectors) != 4 {
		t.Fatalf("EX02 has %d connectors, want 4: %+v", len(conns.Connectors), conns.Connectors)
	}
	if diff := cmp.Diff(want, conns.Connectors[0]); diff != "" {
		t.Errorf("Default EX02 (-want +got):\n%s", diff)
	}

	dc02 := client(t, l, "dc02", true)
	r := run(t, dc02, "repadmin /showrepl dc02 /csv")
	if r.Code != 0 {
		t.Fatalf("repadmin: %+v", r)
	}
	lines := strings.Split(strings.TrimRight(r.Stdout, "\r\n"), "\r\n")
	if !strings.HasPrefix(lines[0], "showrepl_COLUMNS,Destination DSA Site,Destination DSA,Naming Context,") {
		t.Errorf("header: %q", lines[0])
	}
	if len(lines) != 1+5 {
		t.Errorf("%d lines, want a header and dc02's 5 rows:\n%s", len(lines), r.Stdout)
	}
	failing := 0
	for _, line := range lines[1:] {
		if strings.HasPrefix(line, "showrepl_INFO,HQ,DC02,") && strings.HasSuffix(line, ",1722") {
			failing++
		}
	}
	if failing != 5 {
		t.Errorf("%d rows of DC02 <- DC01 fail with 1722, want 5:\n%s", failing, r.Stdout)
	}
}
