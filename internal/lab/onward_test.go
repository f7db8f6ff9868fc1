package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/ops"
)

// TestOldReplicationDesignFailsOverNTLM runs the commands rectify used to
// run (repadmin /showrepl * and /syncall /AdeP from one DC) through a real
// NTLM WinRM session: as on Windows, the session holds no credentials for
// the other DC, so it cannot be read and the push stops with the fatal
// error of the public capture (GOAD issue 140).
func TestOldReplicationDesignFailsOverNTLM(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	dc01 := client(t, l, "dc01", true)

	r := run(t, dc01, "repadmin /showrepl * /csv")
	links, err := ops.ParseShowReplCSV(r.Stdout)
	if err != nil {
		t.Fatalf("showrepl *: %v\n%s", err, r.Stdout)
	}
	var unread, read []string
	for _, link := range links {
		if link.Unread() {
			unread = append(unread, link.DestinationDSA)
		} else {
			read = append(read, link.DestinationDSA)
		}
	}
	if len(unread) != 1 || unread[0] != "DC02" || len(read) != 5 || read[0] != "DC01" {
		t.Errorf("showrepl * from dc01 read %v and could not read %v; want only DC01's links and an error row for DC02:\n%s", read, unread, r.Stdout)
	}

	var sync ops.CommandOutput
	runOp(t, dc01, ops.ReplSyncAll, ops.ReplSyncAllArgs{DC: "dc01", Options: "AdeP"}, &sync)
	res, err := ops.ParseSyncAll(sync.Commands[0].Output)
	if err != nil || res.OK || sync.Commands[0].ExitCode == 0 {
		t.Fatalf("syncall /AdeP over NTLM: %v %+v exit %d", err, res, sync.Commands[0].ExitCode)
	}
	if n := len(res.Errors); n != 2 || res.Errors[0].Code != ReplRPCUnavailable || res.Errors[1].Code != 8440 {
		t.Errorf("syncall errors %+v, want 1722 contacting DC02 then the fatal 8440", res.Errors)
	}
	if p := l.Org().PendingReplication("dc02"); len(p) != 0 {
		t.Errorf("pending %v", p)
	}
	for _, link := range l.Org().ReplLinks() {
		if link.Destination == "dc02" && link.LastStatus != ReplRPCUnavailable {
			t.Errorf("the refused push replicated: %+v", link)
		}
	}
}

// TestOnwardNeedsDelegation checks the lab's rule for the second hop: a
// command reaches its own host in any session, and another machine only
// with delegated credentials.
func TestOnwardNeedsDelegation(t *testing.T) {
	o := goldenOrg(t)
	dc01 := mustHostOf(o, "dc01")
	tests := []struct {
		name  string
		logon *wsman.Logon
		to    string
		ok    bool
	}{
		{"itself by name", nil, "DC01", true},
		{"itself by fqdn", nil, "dc01.corp.example.com", true},
		{"localhost", nil, "localhost", true},
		{"another DC over NTLM", nil, "dc02", false},
		{"another DC over Basic", &wsman.Logon{Mechanism: wsman.MechanismBasic}, "dc02", false},
		{"Kerberos without delegation", &wsman.Logon{Mechanism: wsman.MechanismKerberos}, "dc02", false},
		{"Kerberos with delegation", &wsman.Logon{Mechanism: wsman.MechanismKerberos, Delegated: true}, "dc02", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.logon != nil {
				ctx = withLogon(ctx, *tt.logon)
			}
			d := onward(ctx, dc01, tt.to)
			if (d == nil) != tt.ok {
				t.Errorf("onward(%s -> %s) = %v, want ok=%v", dc01.Name, tt.to, d, tt.ok)
			}
		})
	}
}

// TestNeedsOnwardDeclaresAnOp checks the declaration an op uses when it
// acts on another machine as the session's user: without delegation the
// op does not run and answers the declared error; with it, it runs.
func TestNeedsOnwardDeclaresAnOp(t *testing.T) {
	o := goldenOrg(t)
	ex01 := mustHostOf(o, "ex01")
	ran := false
	op := needsOnward(
		func(context.Context, *opCall) (any, *scriptError) { ran = true; return "done", nil },
		func(c *opCall) string { return c.host.DC },
		func(c *opCall, d *HopDenied) *scriptError {
			return thrown("Active Directory operation failed on %s: the session has no credentials for it", d.To)
		})
	c := &opCall{org: o, host: ex01, args: []byte("{}")}

	out, serr := op(context.Background(), c)
	if serr == nil || ran || !strings.Contains(serr.Message, "dc02") {
		t.Errorf("over NTLM: %v, %v, ran %v; want the declared error and nothing run", out, serr, ran)
	}
	out, serr = op(withLogon(context.Background(), wsman.Logon{Mechanism: wsman.MechanismKerberos, Delegated: true}), c)
	if serr != nil || !ran || out != "done" {
		t.Errorf("with delegation: %v, %v, ran %v", out, serr, ran)
	}
}

// TestStoppedDirectoryServiceCannotBeRead checks the lab's unreadable DC:
// repadmin on it answers an error row, its LDAP server refuses, and a
// partner's pull from it fails with 1753.
func TestStoppedDirectoryServiceCannotBeRead(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	if err := l.StopDirectoryService("dc01"); err != nil {
		t.Fatal(err)
	}
	dc01 := client(t, l, "dc01", false)
	var show ops.CommandOutput
	runOp(t, dc01, ops.ReplShow, ops.ReplShowArgs{}, &show)
	links, err := ops.ParseShowReplCSV(show.Commands[0].Output)
	if err != nil || len(links) != 1 || !links[0].Unread() || links[0].DestinationDSA != "DC01" || !strings.Contains(links[0].Message, "Server Down") {
		t.Errorf("showrepl on a DC whose directory is stopped: %v %+v", err, links)
	}
	dc02 := client(t, l, "dc02", false)
	var pull ops.CommandOutput
	runOp(t, dc02, ops.ReplReplicate, ops.ReplReplicateArgs{Pulls: []ops.ReplPull{{Source: "DC01", NamingContext: "DC=corp,DC=example,DC=com"}}}, &pull)
	if res := ops.ParseReplicate(pull.Commands[0]); res.OK || res.Status != ReplNoEndpoints {
		t.Errorf("pull from a stopped DC: %+v", res)
	}
	if err := l.StartDirectoryService("dc01"); err != nil {
		t.Fatal(err)
	}
	runOp(t, dc01, ops.ReplShow, ops.ReplShowArgs{}, &show)
	if links, err := ops.ParseShowReplCSV(show.Commands[0].Output); err != nil || len(links) != 5 {
		t.Errorf("showrepl after the restart: %v %+v", err, links)
	}
}
