package cli

import (
	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/plans"
)

// changedHosts returns the lock keys of the hosts p would change: those of
// its instances whose change does something. hosts are the inventory's; a
// host the plan names that is not among them is keyed by its name.
func changedHosts(p *plans.Plan, hosts []actions.Host) []string {
	byName := make(map[string]actions.Host, len(hosts))
	for _, h := range hosts {
		byName[h.Name] = h
	}
	var changed []actions.Host
	for _, in := range p.Instances {
		if !in.Change.Action.Changes() {
			continue
		}
		h, ok := byName[in.Host]
		if !ok {
			h = actions.Host{Name: in.Host}
		}
		changed = append(changed, h)
	}
	return journal.HostKeys(changed)
}
