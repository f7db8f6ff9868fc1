// Package actions defines what a remediation step is made of: the Action
// interface that every built-in action implements, the registry that maps
// namespaced action ids ("ad.spn", "windows.registry_value") to actions, the
// schema an action's HCL block is decoded against, the probes an action
// declares so that the engine can batch remote reads, and the small
// consumer-side transport interfaces (Shell, Directory, Prober) through which
// actions reach hosts.
//
// Actions are pure where they can be: Probes, Observe and Plan only compute.
// Only Apply talks to hosts, and it makes exactly the change it is given.
package actions
