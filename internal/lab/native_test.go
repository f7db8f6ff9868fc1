package lab

import (
	"testing"

	"github.com/rectifyhq/rectify/ops"
)

// TestNativeOutputsParse runs the native commands rectify reads on the lab
// over WinRM and reads their output with rectify's parsers. The other
// native commands (w32tm /stripchart, setspn) are pinned by
// TestNativeGolden.
func TestNativeOutputsParse(t *testing.T) {
	l := startLab(t, KB979174(), nil)

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

}
