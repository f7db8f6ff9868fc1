package plans

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Action is what a change does to its object.
type Action string

// The actions a change can carry. They mirror Terraform's, plus Run for an
// operation that changes no declared attribute (a forced replication, a
// queue retry) and Blocked for a problem rectify must not fix by itself.
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Update  Action = "update"
	Delete  Action = "delete"
	Run     Action = "run"
	Blocked Action = "blocked"
)

// Symbol returns the one-character marker used in human plan output.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	case Run:
		return ">"
	case Blocked:
		return "!"
	default:
		return " "
	}
}

// Valid reports whether a is one of the known actions.
func (a Action) Valid() bool {
	switch a {
	case NoOp, Create, Update, Delete, Run, Blocked:
		return true
	}
	return false
}

// Changes reports whether applying a would change something on a host.
func (a Action) Changes() bool {
	switch a {
	case Create, Update, Delete, Run:
		return true
	}
	return false
}

// UnmarshalJSON refuses unknown actions, so that a tampered or newer plan
// file cannot smuggle in an action this version does not understand. The
// empty action of an instance that could not be planned (it changes
// nothing) is read back as it was written.
func (a *Action) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s != "" && !Action(s).Valid() {
		return fmt.Errorf("unknown change action %q", s)
	}
	*a = Action(s)
	return nil
}

// Attr is one attribute of an object before and after a change. Values are
// plain JSON values (string, number, bool, list, object, or nil for absent).
type Attr struct {
	Name   string `json:"name"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
	// Sensitive values are never rendered; views print "(sensitive)". A
	// recorded plan keeps only their salted hashes (see RedactChange).
	Sensitive bool `json:"sensitive,omitempty"`
	// Volatile marks a measurement shown for information (a clock's skew)
	// that may differ between plan and apply without changing what the
	// change does; apply does not compare it with the reviewed plan.
	Volatile bool `json:"volatile,omitempty"`
}

// UnmarshalJSON reads numbers as written (json.Number), so that a value
// read back from a plan file encodes, and compares, as it was planned.
func (a *Attr) UnmarshalJSON(b []byte) error {
	type plain Attr
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*a = Attr(p)
	return nil
}

// Change is what one step intends to do on one host: the answer of an
// action's Plan, before the engine places it in a plan.
type Change struct {
	Action Action `json:"action"`
	// Object names what is changed, for people: "SPN SMTP/EX01 on EX01$",
	// "HKLM:\...\Parameters\LogLevel", "receive connector EX01\Default EX01".
	Object string `json:"object"`
	// Attrs lists the attributes that differ (or, for Blocked and Run, the
	// ones that explain the finding).
	Attrs []Attr `json:"attrs,omitempty"`
	// Reason says why, citing the knowledge-base step.
	Reason string `json:"reason"`
	// KBStep is the step of the article this change carries out ("3").
	KBStep string `json:"kb_step,omitempty"`
	// Risk says what could go wrong, for the reviewer.
	Risk string `json:"risk,omitempty"`
	// Undo says in words how the change is undone.
	Undo string `json:"undo,omitempty"`
	// Payload is the action's own data that Apply needs: what exactly to
	// write. A plan records it so that the reviewer sees exactly what apply
	// runs; apply runs the payload of its own re-plan, and only when it
	// equals the recorded one. Sensitive values in it are wrapped in
	// Sensitive, and recorded as salted hashes.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Findings are facts the reviewer should see that are not changes
	// (a warning below a threshold, the blast radius of a conflict).
	Findings []string `json:"findings,omitempty"`
	// Expires is set on temporary changes (RFC 3339) whose expiry is
	// already known (one set again, or reverted): a later plan reverts the
	// change when it is due.
	Expires string `json:"expires,omitempty"`
	// ExpiresIn is set on a new temporary change: how long after it is
	// applied a later plan reverts it (a Go duration such as "24h0m0s").
	// It is relative to the change, so that a plan and its re-plan at
	// apply agree however much later apply runs.
	ExpiresIn string `json:"expires_in,omitempty"`
	// Revert marks a change that reverts an expired temporary change.
	Revert bool `json:"revert,omitempty"`
}
