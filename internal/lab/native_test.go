package lab

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/ops"
)

// TestNativeOutputsParse runs the KB's native commands on the lab over
// WinRM and reads their output with the parsers rectify uses.
func TestNativeOutputsParse(t *testing.T) {
	l := startLab(t, KB979174(), nil)
	ex01 := client(t, l, "ex01", false)

	r := run(t, ex01, "w32tm /stripchart /computer:dc02 /samples:3 /dataonly")
	samples, err := ops.ParseStripchart(r.Stdout)
	if err != nil || len(samples) != 3 {
		t.Fatalf("stripchart: %v %+v\n%s", err, samples, r.Stdout)
	}
	for _, s := range samples {
		// Positive when the local clock is behind: ex01 is 7 minutes ahead.
		if s.Failed() || s.Offset > -419*time.Second || s.Offset < -421*time.Second {
			t.Errorf("sample %+v, want about -7m", s)
		}
	}
	if err := l.Block("ex01", "dc02", 123, "udp"); err != nil {
		t.Fatal(err)
	}
	samples, err = ops.ParseStripchart(run(t, ex01, "w32tm /stripchart /computer:dc02 /samples:1 /dataonly").Stdout)
	if err != nil || len(samples) != 1 || !samples[0].Failed() {
		t.Errorf("stripchart with NTP blocked: %v %+v", err, samples)
	}

	// Each DC reads its own inbound links: dc02's pull from dc01 fails.
	dc02 := client(t, l, "dc02", false)
	var show ops.CommandOutput
	runOp(t, dc02, ops.ReplShow, ops.ReplShowArgs{}, &show)
	if show.Commands[0].Command != "repadmin /showrepl DC02 /csv" {
		t.Errorf("repl.show ran %q, want the local DC only", show.Commands[0].Command)
	}
	links, err := ops.ParseShowReplCSV(show.Commands[0].Output)
	if err != nil || len(links) != 5 {
		t.Fatalf("showrepl: %v, %d links\n%s", err, len(links), show.Commands[0].Output)
	}
	for _, link := range links {
		if link.OK() || link.Status != 1722 || link.Failures != 5 || link.DestinationDSA != "DC02" || link.SourceDSA != "DC01" || link.LastFailure.IsZero() {
			t.Errorf("link %+v, want DC02 <- DC01 failing with 1722", link)
		}
	}

	// A forced pull fails while RPC is blocked between the DCs, then
	// repairs the link.
	domain := "DC=corp,DC=example,DC=com"
	if err := l.Block("dc02", "dc01", 135, "tcp"); err != nil {
		t.Fatal(err)
	}
	var pull ops.CommandOutput
	runOp(t, dc02, ops.ReplReplicate, ops.ReplReplicateArgs{Pulls: []ops.ReplPull{{Source: "DC01", NamingContext: domain}}}, &pull)
	if res := ops.ParseReplicate(pull.Commands[0]); res.OK || res.Status != 1722 {
		t.Fatalf("replicate with RPC blocked: %+v\n%s", res, pull.Commands[0].Output)
	}
	if err := l.Unblock("dc02", "dc01", 135, "tcp"); err != nil {
		t.Fatal(err)
	}
	runOp(t, dc02, ops.ReplReplicate, ops.ReplReplicateArgs{Pulls: []ops.ReplPull{{Source: "DC01", NamingContext: domain}, {Source: "DC01", NamingContext: "CN=Configuration," + domain}}}, &pull)
	for _, run := range pull.Commands {
		if res := ops.ParseReplicate(run); !res.OK {
			t.Errorf("%s: %+v\n%s", run.Command, res, run.Output)
		}
	}
	// A source the DC does not replicate from is refused.
	runOp(t, dc02, ops.ReplReplicate, ops.ReplReplicateArgs{Pulls: []ops.ReplPull{{Source: "DC09", NamingContext: domain}}}, &pull)
	if res := ops.ParseReplicate(pull.Commands[0]); res.OK || res.Status != 8452 {
		t.Errorf("replicate from an unknown source: %+v\n%s", res, pull.Commands[0].Output)
	}

	spn, err := ops.ParseSetSPN(run(t, ex01, "setspn -X").Stdout)
	want := []ops.SPNDuplicate{{SPN: "SMTPSVC/ex02.corp.example.com", Accounts: []string{
		"CN=EX02,CN=Computers,DC=corp,DC=example,DC=com", "CN=EX02-OLD,CN=Computers,DC=corp,DC=example,DC=com"}}}
	if err != nil || spn.DuplicateGroups != 1 {
		t.Errorf("setspn -X: %v %+v", err, spn)
	}
	if diff := cmp.Diff(want, spn.Duplicates); diff != "" {
		t.Errorf("setspn -X duplicates (-want +got):\n%s", diff)
	}
	spn, err = ops.ParseSetSPN(run(t, ex01, "setspn -L EX01").Stdout)
	if err != nil || len(spn.Accounts) != 1 || hasFold(spn.Accounts[0].SPNs, "SMTPSVC/EX01") || !hasFold(spn.Accounts[0].SPNs, "SMTP/EX01") {
		t.Errorf("setspn -L EX01: %v %+v", err, spn)
	}
	spn, err = ops.ParseSetSPN(run(t, ex01, "setspn -Q smtpsvc/EX02.corp.example.com").Stdout)
	if err != nil || !spn.Found || len(spn.Accounts) != 2 {
		t.Errorf("setspn -Q: %v %+v", err, spn)
	}
	spn, err = ops.ParseSetSPN(run(t, ex01, "setspn -Q SMTPSVC/EX01").Stdout)
	if err != nil || spn.Found || len(spn.Accounts) != 0 {
		t.Errorf("setspn -Q of a missing SPN: %v %+v", err, spn)
	}
}
