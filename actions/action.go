package actions

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/plans"
)

// Instance is one step applied to one target host: everything an action
// needs to probe, observe, plan and apply, and nothing else.
type Instance struct {
	// Step is the step's name in the playbook ("smtp").
	Step string
	// Host is the target.
	Host Host
	// Targets are every target host of the step, in inventory order, for
	// actions that act once for a group (a forced replication pushed from
	// one DC).
	Targets []string
	// Config is the step's decoded attributes for this host.
	Config Config
	// Topology answers questions about other hosts of the inventory.
	Topology Topology
	// Now is the time the plan is made at (injected, for tests and expiry).
	Now time.Time
	// Triggered is set when a step named in triggered_by plans a change for
	// this run; triggered actions plan a Run only then.
	Triggered bool
	// Memory is what the journal remembers of the last change rectify made
	// to this instance, or nil. Temporary changes use it to know when they
	// expire and what to restore.
	Memory *Memory
}

// Memory is the journal's record of the last change applied to an instance.
type Memory struct {
	Action  plans.Action
	Applied time.Time
	// Expires is set for a temporary change.
	Expires time.Time
	// Undo is the data that reverts the change (Outcome.Undo).
	Undo json.RawMessage
	// Reverted is set once a temporary change was reverted after expiry.
	Reverted bool
}

// State is an action's observed state of its object on one host. It must
// encode to JSON deterministically: the plan records its digest, and apply
// compares a fresh observation against it to detect a stale plan.
type State any

// Outcome is what Apply did.
type Outcome struct {
	// After is the object's state after the change, as Observe would report it.
	After State
	// Undo is the data that reverts the change (for the journal); Undo
	// applied as a change's Payload restores the previous state.
	Undo json.RawMessage
	// Messages are lines worth showing the operator (command output).
	Messages []string
}

// Action brings one kind of object on one target to a desired state.
type Action interface {
	// Schema describes the action's block.
	Schema() Schema
	// Probes lists the reads needed to observe inst. It is pure.
	Probes(inst Instance) ([]Probe, error)
	// Observe turns the probes' results into the current state. It is pure.
	Observe(inst Instance, results Results) (State, error)
	// Plan compares the current state with the desired one. It is pure.
	Plan(inst Instance, current State) (plans.Change, error)
	// Apply makes exactly the planned change and reports what undoes it.
	Apply(ctx context.Context, inst Instance, change plans.Change, conns Connections) (Outcome, error)
}

// Validator is implemented by actions that check their whole configuration
// beyond attribute types (attribute combinations). Problems are sentences
// naming the attribute concerned first ("value: must be ...").
type Validator interface {
	ValidateConfig(cfg Config) []ConfigProblem
}

// ConfigProblem is one problem in a step's configuration.
type ConfigProblem struct {
	// Attribute is the attribute at fault, "" for the whole block.
	Attribute string
	Summary   string
	Detail    string
}

// StateSecrets is implemented by actions that know which attributes'
// secrets a host's state can hold (the registry data a sensitive value was
// written as). Without it, the observed state, outcome and undo data of an
// instance are recorded only as a salted hash whenever any attribute of its
// configuration is sensitive; with it, only when StateHoldsSecrets says so.
type StateSecrets interface {
	StateHoldsSecrets(cfg Config) bool
}

// Undoer is implemented by actions whose changes can be reverted from the
// undo data their Apply returned (Outcome.Undo). Actions that only run an
// operation with nothing to put back (a clock resync, a forced
// replication, a queue retry) do not implement it.
type Undoer interface {
	Undo(ctx context.Context, inst Instance, undo json.RawMessage, conns Connections) (Outcome, error)
}

// SiteHosts returns the hosts a Hosts attribute names, other than the
// target itself: those in the target's site when any are, else all of
// them (a site without its own domain controller authenticates
// elsewhere).
func (inst Instance) SiteHosts(attr string) []Host {
	if inst.Topology == nil {
		return nil
	}
	var all, site []Host
	for _, name := range inst.Config.Strings(attr) {
		h, ok := inst.Topology.Host(name)
		if !ok || h.Name == inst.Host.Name {
			continue
		}
		all = append(all, h)
		if inst.Host.Site != "" && strings.EqualFold(h.Site, inst.Host.Site) {
			site = append(site, h)
		}
	}
	if len(site) > 0 {
		return site
	}
	return all
}
