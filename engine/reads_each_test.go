package engine

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// TestEachHostProbeIsReadOncePerHostAndShared checks a probe over many
// hosts (ShellProbe.Hosts): every instance of a step reads every target,
// each host's read runs once in that host's batch with the host's own
// reads, each instance gets every host's result, and instances naming the
// same hosts share one map of results, so that a step of n targets holds
// n results and not n². A host that cannot be read gives only its own
// entry an error.
func TestEachHostProbeIsReadOncePerHostAndShared(t *testing.T) {
	c := newCommandLog()
	c.down["ex03"] = true
	targets := []string{"ex01", "ex02", "ex03"}
	addrs := func() *actions.ShellProbe {
		return &actions.ShellProbe{Hosts: targets, Script: script("host.addresses"), Args: struct{}{}}
	}
	own := &actions.ShellProbe{Script: script("events.query"), Args: struct{}{}}
	var reqs []readRequest
	for _, h := range targets {
		reqs = append(reqs, readRequest{host: h, probes: []actions.Probe{{Name: "addresses", Shell: addrs()}, {Name: "events", Shell: own}}})
	}
	// Another list of hosts is another group.
	reqs = append(reqs, readRequest{host: "ex01", probes: []actions.Probe{{Name: "two", Shell: &actions.ShellProbe{Hosts: targets[:2], Script: script("host.addresses"), Args: struct{}{}}}}})
	out, err := reader{conns: c, parallelism: 4}.read(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"ex01": {"batch[host.addresses events.query]"},
		"ex02": {"batch[host.addresses events.query]"},
	}
	if diff := cmp.Diff(want, c.commands); diff != "" {
		t.Errorf("commands per host (-want +got):\n%s", diff)
	}
	first := out.results[0]["addresses"].Each
	for i := range targets {
		each := out.results[i]["addresses"].Each
		if len(each) != len(targets) {
			t.Fatalf("instance %d got %d hosts' results, want %d: %v", i, len(each), len(targets), each)
		}
		if reflect.ValueOf(each).Pointer() != reflect.ValueOf(first).Pointer() {
			t.Errorf("instance %d holds its own copy of the hosts' results, not the shared one", i)
		}
	}
	for _, h := range targets[:2] {
		if r := first[h]; r.Err != nil || string(r.Output) != "{}" {
			t.Errorf("%s's result: %+v, want {}", h, r)
		}
	}
	if r := first["ex03"]; actions.KindOf(r.Err) != actions.KindConnect {
		t.Errorf("ex03's result: %v, want its connection error", r.Err)
	}
	if two := out.results[3]["two"].Each; len(two) != 2 || reflect.ValueOf(two).Pointer() == reflect.ValueOf(first).Pointer() {
		t.Errorf("a probe over other hosts got %v, want its own two results", two)
	}
}

// TestEachHostProbeNamesOneHostOrMany checks that a probe naming both one
// host and a list of hosts is refused.
func TestEachHostProbeNamesOneHostOrMany(t *testing.T) {
	p := actions.Probe{Name: "x", Shell: &actions.ShellProbe{Host: "ex01", Hosts: []string{"ex02"}, Script: script("host.addresses")}}
	if err := p.Validate(); err == nil {
		t.Error("a probe naming Host and Hosts was accepted")
	}
}
