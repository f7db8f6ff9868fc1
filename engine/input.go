package engine

import (
	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// Step is one playbook step, resolved against the inventory.
type Step struct {
	Name        string
	ActionID    string
	Action      actions.Action
	Description string
	// Targets are the names of the hosts the step applies to, in inventory
	// order.
	Targets []string
	Config  actions.Config
	// DependsOn and TriggeredBy name other steps.
	DependsOn   []string
	TriggeredBy []string
	AutoCorrect bool
	// Source is where the step is declared, for errors to point at.
	Source *plans.SourceRange
}

// Input is what a plan is made from.
type Input struct {
	Playbook  plans.PlaybookRef
	Inventory plans.InventoryRef
	Windows   []plans.Window
	Rollout   plans.Rollout
	// RequiredApprovals is how many people other than a plan's author
	// must approve it before apply (the playbook's approvals block).
	RequiredApprovals int
	Steps             []Step
	// Hosts are every host of the inventory (after -limit), in inventory
	// order. Steps may read from hosts they do not target (a DC's clock).
	Hosts []actions.Host
	// Memory is what the journal remembers of earlier changes, by instance
	// address (plans.Address).
	Memory map[string]*actions.Memory
	// Salt keys the hashes of sensitive values and the digests of the
	// playbook and inventory; a plan records it, and apply evaluates with
	// the plan's. Empty means a new one per plan.
	Salt plans.Salt
	// Variables are the values given to the playbook's variables, as the
	// plan records them.
	Variables []plans.Variable
	// Undo is set for the input of an undo (UndoInput); a plan records it.
	Undo *plans.UndoOf
}

// topology answers actions' questions about the inventory.
type topology map[string]actions.Host

var _ actions.Topology = topology(nil)

func newTopology(hosts []actions.Host) topology {
	t := make(topology, len(hosts))
	for _, h := range hosts {
		t[h.Name] = h
	}
	return t
}

func (t topology) Host(name string) (actions.Host, bool) {
	h, ok := t[name]
	return h, ok
}
