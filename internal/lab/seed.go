package lab

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// seedOrg builds an organisation and its directory from a scenario. ips
// gives each host's address (by host name); missing ones stay empty.
func seedOrg(sc Scenario, ips map[string]string, clock func() time.Time) (*Org, *directory.Directory, error) {
	now := clock().UTC()
	if sc.Domain == "" || sc.NetBIOS == "" {
		return nil, nil, fmt.Errorf("scenario %q: domain and NetBIOS name are required", sc.Name)
	}
	parts := strings.Split(strings.ToLower(sc.Domain), ".")
	for i, p := range parts {
		parts[i] = "DC=" + p
	}
	dir, err := directory.New(strings.Join(parts, ","))
	if err != nil {
		return nil, nil, err
	}
	org := newOrg(sc.Domain, sc.NetBIOS, directoryAccounts{dir: dir})
	org.clock = clock
	if sc.SiteLinkInterval < 0 {
		return nil, nil, fmt.Errorf("scenario %q: the site link interval must be positive", sc.Name)
	}
	if sc.SiteLinkInterval > 0 {
		org.repl.interval = sc.SiteLinkInterval
	}
	org.connectors = directoryConnectors{dir: dir}

	// Hosts and their accounts.
	pdc := ""
	for _, spec := range sc.Hosts {
		if spec.Role != RoleDC && spec.Role != RoleExchange {
			return nil, nil, fmt.Errorf("host %q: role %q is neither %q nor %q", spec.Name, spec.Role, RoleDC, RoleExchange)
		}
		if spec.PDC {
			if spec.Role != RoleDC || pdc != "" {
				return nil, nil, fmt.Errorf("host %q: only one DC can be the PDC emulator", spec.Name)
			}
			pdc = spec.Name
		}
		fqdn := strings.ToLower(spec.Name) + "." + strings.ToLower(sc.Domain)
		h := newHost(spec.Name, fqdn, sc.Domain, spec.Site, spec.Role)
		h.PDC = spec.PDC
		h.DC = strings.ToLower(spec.DC)
		h.IP = ips[spec.Name]
		h.offset = spec.ClockOffset
		h.clock = clock
		if err := org.addHost(h); err != nil {
			return nil, nil, err
		}
		if err := org.seedTimeState(h, spec); err != nil {
			return nil, nil, err
		}
		if err := seedHostState(h, spec); err != nil {
			return nil, nil, err
		}
		if err := seedAccount(dir, h, spec); err != nil {
			return nil, nil, err
		}
	}
	if pdc == "" {
		return nil, nil, fmt.Errorf("scenario %q has no PDC emulator", sc.Name)
	}
	for _, h := range org.hosts {
		if h.Role == RoleExchange {
			if dc, ok := org.Host(h.DC); !ok || dc.Role != RoleDC {
				return nil, nil, fmt.Errorf("host %q: its DC %q is not a DC of the scenario", h.Name, h.DC)
			}
		}
	}
	for _, a := range sc.Accounts {
		if _, err := dir.AddComputer(directory.Computer{Name: strings.ToUpper(a.Name), SPNs: a.SPNs, Disabled: a.Disabled, Replicated: true}); err != nil {
			return nil, nil, err
		}
	}

	// Custom receive connectors, then every connector's directory object.
	for _, spec := range sc.Connectors {
		if err := seedConnector(org, spec); err != nil {
			return nil, nil, err
		}
	}
	for _, h := range org.hosts {
		for _, c := range h.Connectors() {
			if err := org.connectors.PutConnector(c); err != nil {
				return nil, nil, err
			}
		}
	}

	// Tickets the hosts already hold.
	for _, t := range sc.Tickets {
		h, ok := org.Host(t.Host)
		if !ok || t.SPN == "" || t.Account == "" {
			return nil, nil, fmt.Errorf("ticket %q on %q: the host, SPN and account are required", t.SPN, t.Host)
		}
		issued := now.Add(h.offset - time.Hour)
		h.CacheTicket(transportLogon, CachedTicket{SPN: t.SPN, Account: strings.ToUpper(strings.TrimSuffix(t.Account, "$")) + "$", Issued: issued, Expires: issued.Add(ticketLifetime)})
	}

	// Firewall rules.
	for _, b := range sc.Blocks {
		from, ok1 := org.Host(b.From)
		to, ok2 := org.Host(b.To)
		if !ok1 || !ok2 {
			return nil, nil, fmt.Errorf("block %s -> %s: unknown host", b.From, b.To)
		}
		from.Block(to.Name, b.Port, b.Protocol)
	}

	// Replication links, then the faults on them.
	org.repl.links = replicationTopology(org, now)
	for _, f := range sc.FailingLinks {
		found := false
		for i := range org.repl.links {
			l := &org.repl.links[i]
			if l.Destination == strings.ToLower(f.Destination) && l.Source == strings.ToLower(f.Source) {
				l.Failures = f.Failures
				l.LastStatus = f.Status
				l.LastFailureTime = now.Add(-5 * time.Minute)
				l.LastSuccessTime = now.Add(-3 * time.Hour)
				found = true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("failing link %s <- %s: no such link", f.Destination, f.Source)
		}
	}

	// Queues, in the state their causes put them in, and the receivers'
	// record of the failed attempts.
	messages := sc.QueuedMessages
	if messages <= 0 {
		messages = 1
	}
	for _, spec := range sc.Hosts {
		sender, _ := org.Host(spec.Name)
		for i, peer := range spec.Peers {
			receiver, ok := org.Host(peer)
			if !ok || receiver.Role != RoleExchange || sender.Role != RoleExchange {
				return nil, nil, fmt.Errorf("host %q: peer %q is not an Exchange server of the scenario", spec.Name, peer)
			}
			q := Queue{
				Identity:      fmt.Sprintf(`%s\%d`, sender.NetBIOS, 3+i),
				DeliveryType:  DeliveryRelayToMailbox,
				Status:        QueueReady,
				NextHopDomain: mailboxDatabase(receiver),
				Receiver:      receiver.Name,
			}
			// The Transport service has been trying: the tickets its KDC
			// issued are in its cache, the receiver logged the failures.
			causes, issued := org.attemptCauses(sender, receiver, true)
			if issued != nil {
				issued.Issued = now.Add(sender.offset - 30*time.Minute)
				issued.Expires = issued.Issued.Add(ticketLifetime)
				sender.CacheTicket(transportLogon, *issued)
			}
			if len(causes) > 0 {
				q.Status, q.MessageCount, q.LastError = QueueRetry, messages, Error454
				q.LastRetryTime = now.Add(sender.offset - 10*time.Minute).Truncate(time.Second)
				q.NextRetryTime = q.LastRetryTime.Add(retryInterval)
				for _, ago := range []time.Duration{30 * time.Minute, 20 * time.Minute, 10 * time.Minute} {
					receiver.LogEvent(event1035(receiver, sender, now.Add(receiver.offset-ago)))
				}
			}
			sender.queues = append(sender.queues, q)
		}
	}
	return org, dir, nil
}

// seedConnector adds a custom receive connector to its server, with the
// checks New-ReceiveConnector makes: known values, a valid whole
// authentication set, and bindings and ranges that parse.
func seedConnector(org *Org, spec ConnectorSpec) error {
	h, ok := org.Host(spec.Server)
	if !ok || h.Role != RoleExchange {
		return fmt.Errorf("connector %q: %q is not an Exchange server of the scenario", spec.Name, spec.Server)
	}
	if spec.Name == "" || len(spec.Bindings) == 0 {
		return fmt.Errorf("connector on %s: a name and bindings are required", h.Name)
	}
	role := spec.TransportRole
	switch {
	case role == "" || strings.EqualFold(role, RoleHubTransport):
		role = RoleHubTransport
	case strings.EqualFold(role, RoleFrontendTransport):
		role = RoleFrontendTransport
	default:
		return fmt.Errorf("connector %q: transport role %q is neither %s nor %s", spec.Name, role, RoleHubTransport, RoleFrontendTransport)
	}
	ranges := slices.Clone(spec.RemoteIPRanges)
	for _, name := range spec.RemoteHosts {
		peer, ok := org.Host(name)
		if !ok {
			return fmt.Errorf("connector %q: remote host %q is not in the scenario", spec.Name, name)
		}
		if !slices.Contains(ranges, peer.IP) && peer.IP != "" {
			ranges = append(ranges, peer.IP)
		}
	}
	if len(ranges) == 0 {
		return fmt.Errorf("connector %q: remote IP ranges are required", spec.Name)
	}
	for _, r := range ranges {
		if _, err := parseIPRange(r); err != nil {
			return fmt.Errorf("connector %q: %w", spec.Name, err)
		}
	}
	for _, b := range spec.Bindings {
		if _, err := parseBinding(b); err != nil {
			return fmt.Errorf("connector %q: %w", spec.Name, err)
		}
	}
	auth, err := canonicalValues("AuthMechanism", authMechanisms, spec.AuthMechanism)
	if err != nil {
		return fmt.Errorf("connector %q: %w", spec.Name, err)
	}
	groups, err := canonicalValues("PermissionGroups", permissionGroups, spec.PermissionGroups)
	if err != nil {
		return fmt.Errorf("connector %q: %w", spec.Name, err)
	}
	if len(auth) == 0 {
		auth = []string{"None"}
	}
	c := ReceiveConnector{
		Identity: h.NetBIOS + `\` + spec.Name, Name: spec.Name, Server: h.NetBIOS, TransportRole: role,
		Bindings: slices.Clone(spec.Bindings), RemoteIPRanges: ranges, AuthMechanism: auth, PermissionGroups: groups,
		Enabled: !spec.Disabled,
	}
	if err := validateReceiveConnector(c); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.connectorIndex(spec.Name) >= 0 {
		return fmt.Errorf("connector %q is defined twice on %s", spec.Name, h.Name)
	}
	h.connectors = append(h.connectors, c)
	return nil
}

// mailboxDatabase is the next hop of a queue to a server outside any DAG:
// its mailbox database, named as setup names it.
func mailboxDatabase(h *Host) string {
	f := fnv.New32a()
	f.Write([]byte(h.Name))
	return fmt.Sprintf("mailbox database %010d", f.Sum32())
}

// seedHostState sets the registry, services and connectors of a new host.
func seedHostState(h *Host, spec HostSpec) error {
	if spec.KerberosParametersKey {
		h.reg.ensureKey(KerberosParametersKey)
	} else {
		h.reg.ensureKey(`HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos`)
	}
	if spec.Role == RoleDC {
		h.services["ntds"] = "Running"
	}
	if spec.Role != RoleExchange {
		return nil
	}
	h.services["msexchangetransport"] = "Running"
	h.connectors = defaultConnectors(h.NetBIOS)
	c := &h.connectors[0]
	c.AuthMechanism = slices.DeleteFunc(c.AuthMechanism, func(a string) bool { return hasFold(spec.ConnectorMissingAuth, a) })
	c.PermissionGroups = slices.DeleteFunc(c.PermissionGroups, func(g string) bool { return hasFold(spec.ConnectorMissingGroups, g) })
	if err := validateReceiveConnector(*c); err != nil {
		return fmt.Errorf("host %q: %w", spec.Name, err)
	}
	return nil
}

// seedAccount creates a host's computer account (and, for an Exchange
// server, its configuration object).
func seedAccount(dir *directory.Directory, h *Host, spec HostSpec) error {
	spns := []string{"HOST/" + h.NetBIOS, "HOST/" + h.FQDN, "RestrictedKrbHost/" + h.NetBIOS, "RestrictedKrbHost/" + h.FQDN}
	if h.Role == RoleDC {
		spns = append(spns, "ldap/"+h.FQDN, "ldap/"+h.NetBIOS, "GC/"+h.FQDN+"/"+h.Domain, "E3514235-4B06-11D1-AB04-00C04FC2DCD2/"+dsaGUID(h.Name)+"/"+h.Domain)
	} else {
		for _, spn := range requiredSPNs(h) {
			if !hasFold(spec.MissingSPNs, spn) {
				spns = append(spns, spn)
			}
		}
		spns = append(spns, "exchangeMDB/"+h.FQDN, "exchangeAB/"+h.FQDN)
	}
	if _, err := dir.AddComputer(directory.Computer{
		Name: h.NetBIOS, DNSHostName: h.FQDN, SPNs: spns,
		DomainController: h.Role == RoleDC, Site: h.Site, Replicated: true,
	}); err != nil {
		return err
	}
	if h.Role == RoleExchange {
		if _, err := dir.AddExchangeServer(directory.ExchangeServer{Name: h.NetBIOS, FQDN: h.FQDN, Site: h.Site}); err != nil {
			return err
		}
	}
	return nil
}

// replicationTopology links every pair of DCs in a site both ways, and
// every DC with the PDC emulator both ways, for every naming context; all
// healthy, last replicated (and last polled on their schedule) a few
// minutes ago.
func replicationTopology(o *Org, now time.Time) []ReplLink {
	dcs := o.DCs()
	var pdc *Host
	for _, dc := range dcs {
		if dc.PDC {
			pdc = dc
		}
	}
	type pair struct{ dest, src string }
	var pairs []pair
	seen := map[pair]bool{}
	add := func(a, b *Host) {
		if a == b {
			return
		}
		for _, p := range []pair{{a.Name, b.Name}, {b.Name, a.Name}} {
			if !seen[p] {
				seen[p] = true
				pairs = append(pairs, p)
			}
		}
	}
	for i, a := range dcs {
		for _, b := range dcs[i+1:] {
			if a.Site == b.Site {
				add(a, b)
			}
		}
		if pdc != nil {
			add(a, pdc)
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := strings.Compare(x.dest, y.dest); c != 0 {
			return c
		}
		return strings.Compare(x.src, y.src)
	})
	var links []ReplLink
	for _, p := range pairs {
		for _, nc := range o.namingContexts() {
			last := now.Add(-7 * time.Minute)
			links = append(links, ReplLink{Destination: p.dest, Source: p.src, NamingContext: nc, LastSuccessTime: last, schedule: last})
		}
	}
	return links
}
