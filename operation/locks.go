package operation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// lockedHosts is the one rule for which hosts a run locks: those whose
// state it may change. An apply or an undo changes only the hosts of its
// plan's changes (a host the plan names that the inventory lacks is keyed
// by its name); a drift cycle reads every host of its input and may change
// any of them, and locks them all before reading, so that it neither reads
// a host in the middle of another run's change nor changes it at the same
// time.
func lockedHosts(kind Kind, p *plans.Plan, hosts []actions.Host) []string {
	if kind == KindWatch {
		return HostKeys(hosts)
	}
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
	return HostKeys(changed)
}

// HostKey is the key of a host's lock: its FQDN in lower case, or its
// inventory name when it has none. Two inventories (or a copy of one)
// naming the same machine lock the same key.
func HostKey(h actions.Host) string {
	if f := strings.TrimSuffix(strings.TrimSpace(h.FQDN), "."); f != "" {
		return strings.ToLower(f)
	}
	return strings.ToLower(h.Name)
}

// HostKeys returns the sorted, distinct keys of hosts.
func HostKeys(hosts []actions.Host) []string {
	keys := make([]string, 0, len(hosts))
	for _, h := range hosts {
		keys = append(keys, HostKey(h))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// Holder identifies the run that holds host locks: the run and the process
// that runs it.
type Holder struct {
	RunID   int64
	User    string
	Machine string
	PID     int
}

// HostHolder is one held host lock.
type HostHolder struct {
	Holder
	// Host is the lock's key (see HostKey).
	Host string
	// Kind is the holder run's kind (apply, watch), "" when unknown.
	Kind     string
	Acquired time.Time
	Expires  time.Time
}

// HostsLockedError is returned when other runs hold some of the hosts a
// run is to change.
type HostsLockedError struct {
	// Held are the held locks, sorted by host.
	Held []HostHolder
}

func (e *HostsLockedError) Error() string {
	return "another run holds the lock on hosts this run changes: " + e.Describe() + "; wait for it to finish"
}

// Describe names each holder and the hosts it holds: "apply run 4 by alice
// on adm01 (pid 4242) holds the lock on ex01.corp.example.com,
// ex02.corp.example.com since 2026-11-28T22:00:05Z".
func (e *HostsLockedError) Describe() string {
	var parts []string
	for i := 0; i < len(e.Held); {
		h := e.Held[i]
		var hosts []string
		for ; i < len(e.Held) && e.Held[i].Holder == h.Holder; i++ {
			hosts = append(hosts, e.Held[i].Host)
		}
		kind := "run"
		if h.Kind != "" {
			kind = h.Kind + " run"
		}
		parts = append(parts, fmt.Sprintf("%s %d by %s on %s (pid %d) holds the lock on %s since %s",
			kind, h.RunID, h.User, h.Machine, h.PID, strings.Join(hosts, ", "), h.Acquired.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, "; ")
}

// Hosts lists the held hosts.
func (e *HostsLockedError) Hosts() []string {
	out := make([]string, len(e.Held))
	for i, h := range e.Held {
		out[i] = h.Host
	}
	return out
}
