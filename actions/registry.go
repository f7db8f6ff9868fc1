package actions

import (
	"fmt"
	"regexp"
	"sort"
)

// idPattern is the form of an action id: a family and a name, both
// lowercase words ("ad.spn", "windows.registry_value").
var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$`)

// Registry maps action ids to actions. It is built explicitly by whoever
// wires rectify together; there is no global registry and no init-time
// registration.
type Registry struct {
	actions map[string]Action
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{actions: map[string]Action{}}
}

// Register adds an action under id. It fails on a malformed or duplicate id.
func (r *Registry) Register(id string, a Action) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("action id %q must be <family>.<name> in lowercase", id)
	}
	if _, dup := r.actions[id]; dup {
		return fmt.Errorf("action %q is registered twice", id)
	}
	r.actions[id] = a
	return nil
}

// MustRegister is Register for wiring code, where a failure is a bug.
func (r *Registry) MustRegister(id string, a Action) {
	if err := r.Register(id, a); err != nil {
		panic(err)
	}
}

// Lookup returns the action registered under id.
func (r *Registry) Lookup(id string) (Action, bool) {
	a, ok := r.actions[id]
	return a, ok
}

// IDs returns the registered ids in order.
func (r *Registry) IDs() []string {
	ids := make([]string, 0, len(r.actions))
	for id := range r.actions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
