// Package connect gives the engine the transports of one run as
// actions.Connections: one WinRM shell per host (reused for every command,
// connections kept alive), one LDAP directory per domain, and the reach
// prober. It knows nothing of inventories: callers say how each host and
// domain is reached.
package connect
