package plans

import (
	"encoding/json"
	"fmt"
	"time"
)

// FormatVersion is the version of the plan file format this build writes
// and the only one it reads: a plan is applied within a day by the
// rectify that made it.
// Version 2 records a salt, the variables given, sensitive values only as
// salted hashes, and temporary changes' expiry relative to the change.
// Version 3 records where each step is declared (Step.Source).
const FormatVersion = 3

// Plan is everything rectify intends to do in one run, and what it saw when
// it decided: the reviewed expectation of an apply. Apply evaluates the
// playbook and inventory again, refuses them if their evaluated digests
// differ, re-plans every instance from a fresh read, and runs only changes
// equal to the plan's. A plan holds no secret: sensitive values appear only
// as hashes keyed by its Salt.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	// RectifyVersion is the version of the program that made the plan.
	RectifyVersion string `json:"rectify_version"`

	// Salt keys the hashes of the plan's sensitive values and its
	// playbook and inventory digests.
	Salt Salt `json:"salt"`

	Playbook  PlaybookRef  `json:"playbook"`
	Inventory InventoryRef `json:"inventory"`
	// Variables are the values given to the playbook's variables (-var,
	// -var-file) when the plan was made, for apply to evaluate the
	// playbook with the same ones.
	Variables []Variable `json:"variables,omitempty"`

	// Windows are the change windows the playbook allows changes in.
	Windows []Window `json:"windows,omitempty"`
	Rollout Rollout  `json:"rollout"`

	// Author is who made the plan: the OS account, or the identity of the
	// shared journal it was registered in.
	Author string `json:"author,omitempty"`
	// RequiredApprovals is how many people other than the author must
	// approve the plan (its digest) before apply makes its changes.
	RequiredApprovals int `json:"required_approvals,omitempty"`

	// Hosts are the hosts the plan covers, in inventory order, each with
	// whether it could be read.
	Hosts []Host `json:"hosts"`
	// Steps are the playbook's steps in dependency order.
	Steps []Step `json:"steps"`
	// Instances are the (step, host) pairs, in apply order.
	Instances []Instance `json:"instances"`
	// Undo is set on a plan that undoes the changes of an earlier run
	// (rectify undo): apply takes its changes from the journal's record
	// of that run instead of from the playbook.
	Undo *UndoOf `json:"undo,omitempty"`
}

// UndoOf names the changes an undo plan reverts: those of run Run, or
// only of the instances Addresses names.
type UndoOf struct {
	Run       int64    `json:"run"`
	Addresses []string `json:"addresses,omitempty"`
}

// PlaybookRef identifies the playbook a plan was made from.
type PlaybookRef struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	KB    string `json:"kb,omitempty"`
	Path  string `json:"path"`
	// Digest covers the playbook as evaluated: its steps' configuration,
	// targets and order, variables, windows and rollout; sensitive values
	// count only through their salted hashes.
	Digest string `json:"digest"`
}

// InventoryRef identifies the inventory a plan was made against.
type InventoryRef struct {
	Path string `json:"path"`
	// Digest covers the inventory as evaluated: hosts, addresses, ports,
	// URLs, CA certificates, users and authentication settings (never
	// passwords), so that an env() pointing elsewhere is refused.
	Digest string `json:"digest"`
	// Limit is the -limit the plan was made with, if any.
	Limit string `json:"limit,omitempty"`
}

// Variable is the value one variable was given when the plan was made.
// A sensitive value is kept only as its salted hash: apply reads it again
// from the environment variable RECTIFY_VAR_<name> and refuses it unless
// its hash is the same.
type Variable struct {
	Name string `json:"name"`
	// Value is the value with its type (cty's JSON form), for a variable
	// that is not sensitive.
	Value json.RawMessage `json:"value,omitempty"`
	// Hash is the salted hash of a sensitive value.
	Hash string `json:"hash,omitempty"`
}

// Host is one host of the plan.
type Host struct {
	Name string `json:"name"`
	// Error says why the host could not be read; its instances then carry
	// no change and apply never touches the host.
	Error string `json:"error,omitempty"`
}

// Step is one step of the playbook as the plan records it.
type Step struct {
	Name        string   `json:"name"`
	Action      string   `json:"action"`
	Description string   `json:"description,omitempty"`
	Targets     []string `json:"targets,omitempty"`
	DependsOn   []string `json:"depends_on,omitempty"`
	TriggeredBy []string `json:"triggered_by,omitempty"`
	// AutoCorrect false keeps unattended drift correction from applying
	// the step's changes.
	AutoCorrect bool `json:"auto_correct"`
	// Source is where the step is declared, for errors to point at; it is
	// not part of what a plan is checked against.
	Source *SourceRange `json:"source,omitempty"`
}

// Instance is one step on one host.
type Instance struct {
	// Address names the instance: "step.<name>[<host>]".
	Address string `json:"address"`
	Step    string `json:"step"`
	Action  string `json:"action"`
	Host    string `json:"host"`
	// Config is the step's evaluated configuration for this host, for the
	// reviewer, with sensitive values as salted hashes. Apply takes the
	// configuration from the playbook evaluated again, never from here,
	// and refuses a plan whose recorded configuration differs from it.
	Config json.RawMessage `json:"config"`
	// Observed is the state the action observed; ObservedDigest is its
	// digest, compared with a fresh observation before the change is made.
	Observed       json.RawMessage `json:"observed,omitempty"`
	ObservedDigest string          `json:"observed_digest,omitempty"`
	Change         Change          `json:"change"`
	// Triggered records that a step named in triggered_by planned a change.
	Triggered bool `json:"triggered,omitempty"`
	// Waits says why apply will skip this change: a step it depends on is
	// blocked or could not be planned on the same host.
	Waits string `json:"waits,omitempty"`
	// Error says why this instance could not be planned.
	Error string `json:"error,omitempty"`
}

// Address returns the address of step on host.
func Address(step, host string) string {
	return fmt.Sprintf("step.%s[%s]", step, host)
}

// Summary counts the plan's changes by action.
type Summary struct {
	Create, Update, Delete, Run, Blocked, NoOp, Errors int
}

// Summary counts p's changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, in := range p.Instances {
		if in.Error != "" {
			s.Errors++
			continue
		}
		switch in.Change.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Delete:
			s.Delete++
		case Run:
			s.Run++
		case Blocked:
			s.Blocked++
		default:
			s.NoOp++
		}
	}
	for _, h := range p.Hosts {
		if h.Error != "" {
			s.Errors++
		}
	}
	return s
}

// Changes reports whether the plan would change anything.
func (s Summary) Changes() bool { return s.Create+s.Update+s.Delete+s.Run > 0 }

// HasChanges reports whether applying p would change anything.
func (p *Plan) HasChanges() bool { return p.Summary().Changes() }

// Host returns the plan's record of host name.
func (p *Plan) Host(name string) (Host, bool) {
	for _, h := range p.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return Host{}, false
}
