package discover

import (
	"context"
	"fmt"
	"net/netip"
)

// Resolve looks every host's FQDN up with lookup (a net.Resolver's
// LookupHost) and sets its Address to the first IPv4 address, or the first
// address when there is no IPv4 one. It is for a machine whose own
// resolver does not know the domain: the inventory then pins the
// addresses the lookup returned today.
func (r *Result) Resolve(ctx context.Context, lookup func(ctx context.Context, host string) ([]string, error)) error {
	for i := range r.Hosts {
		h := &r.Hosts[i]
		addrs, err := lookup(ctx, h.FQDN)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", h.FQDN, err)
		}
		best := ""
		for _, a := range addrs {
			ip, err := netip.ParseAddr(a)
			if err != nil || ip.Zone() != "" {
				continue
			}
			if ip.Is4() || ip.Is4In6() {
				best = ip.Unmap().String()
				break
			}
			if best == "" {
				best = ip.String()
			}
		}
		if best == "" {
			return fmt.Errorf("resolve %s: no address", h.FQDN)
		}
		h.Address = best
	}
	return nil
}
