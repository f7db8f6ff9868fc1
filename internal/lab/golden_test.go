package lab

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

func mustHostOf(o *Org, name string) *Host {
	h, ok := o.Host(name)
	if !ok {
		panic("no host " + name)
	}
	return h
}

// hyperVGuest makes a host a Hyper-V guest whose VM IC provider takes the
// time of a Hyper-V host that is offset off.
func hyperVGuest(o *Org, name string, offset time.Duration) {
	h := mustHostOf(o, name)
	_ = h.SetRegistryValue(HyperVGuestKey, "HostName", RegistryValue{Kind: "String", Data: "hv01.corp.example.com"})
	h.vm = virtualMachine{kind: HypervisorHyperV, timeSync: true, offset: offset}
}

func mustBlock(o *Org, from, to string, port int) {
	mustHostOf(o, from).Block(to, port, "tcp")
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenOrg seeds the KB979174 scenario with a fixed clock and addresses,
// without serving it.
func goldenOrg(t *testing.T) *Org {
	t.Helper()
	at := time.Date(2026, 11, 27, 8, 23, 44, 0, time.UTC)
	ips := map[string]string{"dc01": "10.0.0.5", "dc02": "10.0.0.6", "ex01": "10.0.0.11", "ex02": "10.0.0.12"}
	org, _, err := seedOrg(KB979174(), ips, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// TestNativeGolden pins the text of the native commands the KB uses, as
// the lab prints them, in testdata/native (regenerate with -update).
func TestNativeGolden(t *testing.T) {
	delegated := wsman.Logon{User: `CORP\rectify`, Mechanism: wsman.MechanismKerberos, Delegated: true}
	tests := []struct {
		name, host, line string
		// logon is the session the command runs in: an NTLM network logon
		// without onward credentials unless set.
		logon *wsman.Logon
		// locale is the hosts' language, English unless set.
		locale Locale
		// setup changes the organisation before the command.
		setup func(o *Org)
	}{
		{name: "stripchart", host: "ex01", line: "w32tm /stripchart /computer:dc02 /samples:3 /dataonly"},
		{name: "stripchart-unknown", host: "ex01", line: "w32tm /stripchart /computer:dc99 /samples:1 /dataonly"},
		{name: "resync-outside-source", host: "ex01", line: "w32tm /resync"},
		{name: "resync", host: "ex02", line: "w32tm /resync /rediscover"},
		// The old design from an NTLM session: every other DC refuses.
		{name: "showrepl-csv", host: "dc01", line: "repadmin /showrepl * /csv"},
		{name: "syncall", host: "dc01", line: "repadmin /syncall dc01 /AdeP"},
		{name: "syncall-pull", host: "dc02", line: "repadmin /syncall /Ade"},
		{name: "replicate-other-dc", host: "dc01", line: "repadmin /replicate dc02 dc01 DC=corp,DC=example,DC=com"},
		// The same with delegated credentials.
		{name: "showrepl-csv-delegated", host: "dc01", line: "repadmin /showrepl * /csv", logon: &delegated},
		{name: "syncall-delegated", host: "dc01", line: "repadmin /syncall dc01 /AdeP", logon: &delegated},
		// Each DC for itself.
		{name: "showrepl-local-csv", host: "dc02", line: "repadmin /showrepl DC02 /csv"},
		{name: "showrepl", host: "dc02", line: "repadmin /showrepl"},
		{name: "replicate", host: "dc02", line: "repadmin /replicate DC02 DC01 DC=corp,DC=example,DC=com"},
		{name: "replicate-blocked", host: "dc02", line: "repadmin /replicate DC02 DC01 DC=corp,DC=example,DC=com",
			setup: func(o *Org) { mustBlock(o, "dc02", "dc01", 135) }},
		{name: "replicate-no-link", host: "dc02", line: "repadmin /replicate DC02 DC09 DC=corp,DC=example,DC=com"},
		{name: "showrepl-ntds-stopped", host: "dc02", line: "repadmin /showrepl DC02 /csv",
			setup: func(o *Org) { mustHostOf(o, "dc02").SetService("ntds", "Stopped") }},
		// In Japanese.
		{name: "showrepl-local-csv-ja", host: "dc02", line: "repadmin /showrepl DC02 /csv", locale: LocaleJapanese},
		{name: "showrepl-ja", host: "dc02", line: "repadmin /showrepl", locale: LocaleJapanese},
		{name: "replicate-ja", host: "dc02", line: "repadmin /replicate DC02 DC01 DC=corp,DC=example,DC=com", locale: LocaleJapanese},
		{name: "replicate-blocked-ja", host: "dc02", line: "repadmin /replicate DC02 DC01 DC=corp,DC=example,DC=com", locale: LocaleJapanese,
			setup: func(o *Org) { mustBlock(o, "dc02", "dc01", 135) }},
		{name: "syncall-ja", host: "dc01", line: "repadmin /syncall dc01 /AdeP", locale: LocaleJapanese},
		{name: "syncall-delegated-ja", host: "dc01", line: "repadmin /syncall dc01 /AdeP", locale: LocaleJapanese, logon: &delegated},
		{name: "setspn-l", host: "ex01", line: "setspn -L EX01"},
		{name: "setspn-l-unknown", host: "ex01", line: "setspn -L EX99"},
		{name: "setspn-q", host: "ex01", line: "setspn -Q SMTPSVC/ex02.corp.example.com"},
		{name: "setspn-q-missing", host: "ex01", line: "setspn -Q SMTPSVC/EX01"},
		{name: "setspn-x", host: "dc01", line: "setspn -X -F -P"},
		{name: "setspn-x-ja", host: "dc01", line: "setspn -X", locale: LocaleJapanese},
		{name: "unknown-program", host: "ex01", line: "frobnicate /all"},
		{name: "klist-skew", host: "ex01", line: "klist get SMTPSVC/ex02.corp.example.com"},
		{name: "klist-tickets", host: "ex01", line: "klist -li 0x3e4 tickets"},
		{name: "klist-tickets-empty", host: "ex01", line: "klist -li 0x3e7 tickets"},
		{name: "klist-unknown-session", host: "ex01", line: "klist -li 0x9999 tickets"},
		{name: "net-stop", host: "ex01", line: "net stop w32time"},
		{name: "resync-stopped", host: "ex01", line: "w32tm /resync"},
		{name: "net-start", host: "ex01", line: "net start w32time"},
		{name: "powershell-command", host: "ex01", line: "powershell.exe -NoProfile -Command Get-Date"},
		// Other WinRM clients: a native command however it is sent.
		{name: "powershell-encoded-native", host: "ex01", line: "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand " + ops.EncodeCommand("w32tm /query /source")},
		{name: "powershell-encoded-call", host: "ex01", line: "PowerShell -NoProfile -EncodedCommand " + ops.EncodeCommand(`& 'C:\Windows\System32\w32tm.exe' /query /configuration`)},
		{name: "powershell-encoded-pipeline", host: "ex01", line: "PowerShell -NoProfile -EncodedCommand " + ops.EncodeCommand("w32tm /query /source | Out-String")},
		{name: "powershell-command-native", host: "ex02", line: `powershell.exe -NoProfile -Command reg query HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`},
		{name: "cmd-c-quoted", host: "ex01", line: `cmd.exe /c "reg query HKLM\SYSTEM\CurrentControlSet\Services\W32Time /s"`},
		{name: "reg-query-value", host: "ex01", line: `reg query HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters /v NtpServer`},
		{name: "reg-query-missing", host: "ex02", line: `reg query HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters /v LogLevel`},
		{name: "reg-query-powershell-path", host: "ex02", line: `reg query HKLM:\SYSTEM`},
		{name: "reg-query-missing-ja", host: "ex02", line: `reg query HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters /v LogLevel`, locale: LocaleJapanese},
		{name: "wevtutil-text", host: "ex02", line: `wevtutil qe Application "/q:*[System[Provider[@Name='MSExchangeTransport'] and (EventID=1035)]]" /c:1 /rd:true /f:text`},
		{name: "wevtutil-xml", host: "ex02", line: `wevtutil qe Application /q:*[System[(EventID=1035)]] /c:2 /rd:true`},
		{name: "wevtutil-none", host: "ex02", line: `wevtutil qe System /q:*[System[(EventID=3)]] /f:text`},
		{name: "wevtutil-bad-query", host: "ex02", line: `wevtutil qe Application "/q:*[EventData[Data='x']]"`},
		{name: "wevtutil-unknown-log", host: "ex02", line: `wevtutil qe Security2 /c:1`},
		{name: "wevtutil-text-ja", host: "ex02", line: `wevtutil qe Application /c:1 /rd:true /f:text`, locale: LocaleJapanese},
		// w32tm in Japanese, and as a Hyper-V guest or under a policy.
		{name: "resync-ja", host: "ex02", line: "w32tm /resync /rediscover", locale: LocaleJapanese},
		{name: "stripchart-ja", host: "ex01", line: "w32tm /stripchart /computer:dc02 /samples:2 /dataonly", locale: LocaleJapanese},
		{name: "resync-stopped-ja", host: "ex01", line: "w32tm /resync", locale: LocaleJapanese,
			setup: func(o *Org) { mustHostOf(o, "ex01").SetService("w32time", "Stopped") }},
		{name: "w32tm-configuration", host: "ex01", line: "w32tm /query /configuration"},
		{name: "w32tm-source-hyperv", host: "ex01", line: "w32tm /query /source",
			setup: func(o *Org) { hyperVGuest(o, "ex01", 6*time.Minute) }},
		{name: "w32tm-configuration-policy", host: "ex02", line: "w32tm /query /configuration",
			setup: func(o *Org) {
				_ = mustHostOf(o, "ex02").SetRegistryValue(W32TimePolicyKey, "Type", RegistryValue{Kind: "String", Data: "NTP"})
				_ = mustHostOf(o, "ex02").SetRegistryValue(W32TimePolicyKey, "NtpServer", RegistryValue{Kind: "String", Data: "ntp.branch.example,0x8"})
			}},
		{name: "vmware-timesync", host: "ex01", line: `"C:\Program Files\VMware\VMware Tools\VMwareToolboxCmd.exe" timesync status`,
			setup: func(o *Org) { mustHostOf(o, "ex01").vm = virtualMachine{kind: HypervisorVMware, timeSync: true} }},
		{name: "vmware-absent", host: "ex01", line: `"C:\Program Files\VMware\VMware Tools\VMwareToolboxCmd.exe" timesync status`},
	}
	shared := goldenOrg(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := shared
			if tt.locale != "" || tt.setup != nil || tt.logon != nil {
				org = goldenOrg(t)
				if tt.locale != "" {
					org.locale = tt.locale
				}
				if tt.setup != nil {
					tt.setup(org)
				}
			}
			ctx := context.Background()
			if tt.logon != nil {
				ctx = withLogon(ctx, *tt.logon)
			}
			var out, errOut strings.Builder
			code := org.Run(ctx, tt.host, tt.line, "", nil, strings.NewReader(""), &out, &errOut)
			got := "$ " + tt.line + "\n" + out.String()
			if errOut.Len() > 0 {
				got += "--- stderr\n" + errOut.String()
			}
			got += "--- exit " + itoa(code) + "\n"
			path := filepath.Join("testdata", "native", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}
