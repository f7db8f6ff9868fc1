package engine

import (
	"fmt"
	"strings"
)

// orderSteps returns the steps in dependency order (a step after every step
// it depends on or is triggered by), keeping playbook order among
// independent steps. The playbook decoder rejects cycles with a diagnostic;
// a cycle here is reported as an error all the same.
func orderSteps(steps []Step) ([]Step, error) {
	index := make(map[string]int, len(steps))
	for i, s := range steps {
		if _, dup := index[s.Name]; dup {
			return nil, fmt.Errorf("step %q is defined twice", s.Name)
		}
		index[s.Name] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	mark := make([]int, len(steps))
	var out []Step
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		switch mark[i] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("steps depend on each other in a cycle: %s -> step.%s", strings.Join(path, " -> "), steps[i].Name)
		}
		mark[i] = visiting
		path = append(path, "step."+steps[i].Name)
		for _, dep := range append(append([]string(nil), steps[i].DependsOn...), steps[i].TriggeredBy...) {
			j, ok := index[dep]
			if !ok {
				return fmt.Errorf("step %q depends on unknown step %q", steps[i].Name, dep)
			}
			if err := visit(j); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[i] = done
		out = append(out, steps[i])
		return nil
	}
	for i := range steps {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}
