package actions

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// Probe is one named read an action needs in order to observe a target.
// Probes are data, so the engine can batch every shell read of every step
// for one host into one command, merge directory lookups of the same shape
// into few searches, and run reach probes concurrently. Exactly one of
// Shell, Lookup, Search and Reach is set.
type Probe struct {
	// Name is unique among one instance's probes.
	Name   string
	Shell  *ShellProbe
	Lookup *LookupProbe
	Search *SearchProbe
	Reach  *ReachProbe
}

// ShellProbe runs a read-only script op on a host.
type ShellProbe struct {
	// Host is the inventory host to run on; "" means the target itself.
	Host string
	// Hosts, when set, runs the read on each of these inventory hosts
	// instead (Host must then be ""), and the probe's Result holds each
	// host's result in Each. The instances of a step whose probes name the
	// same op, arguments and hosts share one Each map: a step whose every
	// instance reads every target holds one result a host, not one a pair
	// of hosts. It is for what an instance reads of other hosts to judge
	// its own, not for the object its change alters: within one apply run,
	// such a read that succeeded is reused by later re-reads and
	// verifications until a change goes to its host.
	Hosts  []string
	Script ops.Script
	// Args is the op's argument document (marshalled to JSON).
	Args any
	// Sensitive marks arguments that hold a secret: the command that
	// carries them keeps them out of logs and errors.
	Sensitive bool
	// Alone marks a read whose moment matters (a clock): it runs first in
	// the host's batch, and its result's Sent and Received bracket that
	// read alone, as closely as a command of its own would, not the slow
	// reads that follow it in the same command (the batch times each read
	// by the host's monotonic clock). Probes of several instances asking
	// for the same read share it, and it is timed if any of them asks.
	Alone bool
}

// LookupProbe finds objects by one attribute's values: objects matching
// Match whose Attribute equals any of Values. Lookups that differ only in
// Values are merged by the engine into one search (an OR of equalities), and
// each probe receives the entries matching its own values.
type LookupProbe struct {
	// Domain is the inventory domain whose directory is searched.
	Domain        string
	GlobalCatalog bool
	// Base is the search base; "" means the domain's default naming context
	// (or the whole forest with GlobalCatalog).
	Base       string
	Match      Filter
	Attribute  string
	Values     []string
	Attributes []string
}

// SearchProbe is a directory search that cannot be merged with others.
type SearchProbe struct {
	Domain  string
	Request SearchRequest
	// RootDSE reads the root DSE instead of searching.
	RootDSE bool
}

// ReachProbe checks reach from the machine rectify runs on.
type ReachProbe struct {
	Endpoints []Endpoint
}

// Validate reports a probe that names no read or more than one.
func (p Probe) Validate() error {
	n := 0
	for _, set := range []bool{p.Shell != nil, p.Lookup != nil, p.Search != nil, p.Reach != nil} {
		if set {
			n++
		}
	}
	if p.Name == "" {
		return fmt.Errorf("probe has no name")
	}
	if n != 1 {
		return fmt.Errorf("probe %q must name exactly one read, names %d", p.Name, n)
	}
	if p.Shell != nil && p.Shell.Hosts != nil && p.Shell.Host != "" {
		return fmt.Errorf("probe %q names both one host and a list of hosts", p.Name)
	}
	return nil
}

// Result is what one probe read: the script's JSON output, the entries
// found, or the reach outcomes; or the error that stopped the read.
type Result struct {
	Output  json.RawMessage `json:"output,omitempty"`
	Entries []Entry         `json:"entries,omitempty"`
	Reach   []Reach         `json:"reach,omitempty"`
	Err     error           `json:"-"`
	// Sent and Received bracket the moment of a shell read, by the clock
	// of the machine rectify runs on: the span of its command, narrowed
	// by the host's own timing of the read within its batch. A reading of
	// a host's clock is best compared with their midpoint, and is
	// uncertain by half their distance (see ShellProbe.Alone).
	Sent, Received time.Time `json:"-"`
	// Each holds, for a shell probe with Hosts, each host's result by
	// host name. It is shared between instances: callers only read it.
	Each map[string]Result `json:"-"`
}

// Results maps probe names to what they read.
type Results map[string]Result

// Decode unmarshals the JSON output of the shell probe called name into v,
// returning the probe's error if the read failed.
func (r Results) Decode(name string, v any) error {
	res, ok := r[name]
	if !ok {
		return fmt.Errorf("no result for probe %q", name)
	}
	if res.Err != nil {
		return res.Err
	}
	if err := res.Decode(v); err != nil {
		return fmt.Errorf("probe %q returned %w", name, err)
	}
	return nil
}

// Of returns host's result of the probe called name, a probe over many
// hosts (ShellProbe.Hosts); a result with the error when there is none.
func (r Results) Of(name, host string) Result {
	res, ok := r[name]
	switch {
	case !ok:
		return Result{Err: fmt.Errorf("no result for probe %q", name)}
	case res.Err != nil:
		return res
	}
	h, ok := res.Each[host]
	if !ok {
		return Result{Err: fmt.Errorf("probe %q has no result for %s", name, host)}
	}
	return h
}

// Decode unmarshals the JSON output of a shell read into v, returning the
// read's error if it failed.
func (r Result) Decode(v any) error {
	if r.Err != nil {
		return r.Err
	}
	if err := json.Unmarshal(r.Output, v); err != nil {
		return fmt.Errorf("malformed output: %w", err)
	}
	return nil
}

// Entries returns the entries of the directory probe called name.
func (r Results) Entries(name string) ([]Entry, error) {
	res, ok := r[name]
	if !ok {
		return nil, fmt.Errorf("no result for probe %q", name)
	}
	return res.Entries, res.Err
}
