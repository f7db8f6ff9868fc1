package engine

import (
	"strconv"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// NewInput turns an evaluated playbook into the engine's input: its steps
// in dependency order with their targets and configuration, its change
// windows and rollout policy. hosts are the inventory's hosts after -limit;
// steps keep only targets among them.
func NewInput(r *playbooks.Resolved, path string, hosts []actions.Host, inv plans.InventoryRef) Input {
	pb := r.Playbook
	in := Input{
		Playbook:  plans.PlaybookRef{Name: pb.Name, Title: pb.Title, KB: pb.KB, Path: path, Digest: pb.Digest},
		Inventory: inv,
		Hosts:     hosts,
	}
	for _, w := range pb.Windows {
		tz := "UTC"
		if w.Location != nil {
			tz = w.Location.String()
		}
		in.Windows = append(in.Windows, plans.Window{Start: w.Start, Duration: w.Duration.String(), Timezone: tz})
	}
	allowed := map[string]bool{}
	for _, h := range hosts {
		allowed[h.Name] = true
	}
	targeted := map[string]bool{}
	for _, s := range r.Steps {
		var targets []string
		for _, t := range s.Targets {
			if allowed[t] {
				targets = append(targets, t)
				targeted[t] = true
			}
		}
		in.Steps = append(in.Steps, Step{
			Name: s.Name, ActionID: s.Step.ActionID, Action: s.Action, Description: s.Step.Description,
			Targets: targets, Config: s.Config, DependsOn: s.DependsOn, TriggeredBy: s.TriggeredBy,
			AutoCorrect: s.Step.AutoCorrect,
		})
	}
	if ro := pb.Rollout; ro != nil {
		if ro.Serial.Set && ro.Serial.Value > 0 {
			in.Rollout.Serial = strconv.Itoa(ro.Serial.Value)
			if ro.Serial.Percent {
				in.Rollout.Serial += "%"
			}
		}
		if ro.MaxFail.Set {
			in.Rollout.MaxFail = ro.MaxFail.Of(len(targeted))
		}
	} else {
		in.Rollout.MaxFail = len(targeted)
	}
	return in
}
