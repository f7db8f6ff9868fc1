package lab

import (
	"fmt"
	"strings"
	"time"
)

// exchangePerSite is how many Exchange servers a generated site holds.
const exchangePerSite = 40

// Generate builds a scenario with n Exchange servers and two DCs per site
// (a site per 40 Exchange servers), with the faults of KB 979174 spread
// over the servers: of every eight servers in a site, one has a skewed
// clock, one misses its SMTPSVC SPNs, one shares an SPN with a stale
// account, one lacks ExchangeServer on its connector and one cannot reach
// its DC on TCP 88; every other site has a failing replication link. Each
// server queues mail to the next server of its site.
func Generate(n int) Scenario {
	if n < 1 {
		n = 1
	}
	sc := Scenario{Name: fmt.Sprintf("generated-%d", n), Domain: "corp.example.com", NetBIOS: "CORP", QueuedMessages: 5}
	width := max(2, len(fmt.Sprint(n)))
	sites := (n + exchangePerSite - 1) / exchangePerSite
	ex := 0
	for s := 0; s < sites; s++ {
		site := "HQ"
		if s > 0 {
			site = fmt.Sprintf("SITE%02d", s+1)
		}
		dcA := fmt.Sprintf("dc%0*d", width, 2*s+1)
		dcB := fmt.Sprintf("dc%0*d", width, 2*s+2)
		sc.Hosts = append(sc.Hosts,
			HostSpec{Name: dcA, Role: RoleDC, Site: site, PDC: s == 0},
			HostSpec{Name: dcB, Role: RoleDC, Site: site},
		)
		if s%2 == 0 {
			sc.FailingLinks = append(sc.FailingLinks, LinkFault{Destination: dcB, Source: dcA, Status: ReplRPCUnavailable, Failures: 3})
		}
		count := min(exchangePerSite, n-ex)
		names := make([]string, count)
		for i := range names {
			names[i] = fmt.Sprintf("ex%0*d", width, ex+i+1)
		}
		for i, name := range names {
			h := HostSpec{Name: name, Role: RoleExchange, Site: site, DC: dcB}
			if i%2 == 1 {
				h.DC = dcA
			}
			if count > 1 {
				h.Peers = []string{names[(i+1)%count]}
			}
			fqdn := name + "." + sc.Domain
			switch i % 8 {
			case 0:
				h.ClockOffset, h.NTPServer = 7*time.Minute, "time.windows.com,0x9"
			case 1:
				h.MissingSPNs = []string{"SMTPSVC/" + strings.ToUpper(name), "SMTPSVC/" + fqdn}
			case 2:
				sc.Accounts = append(sc.Accounts, AccountSpec{Name: strings.ToUpper(name) + "-OLD", SPNs: []string{"SMTPSVC/" + fqdn}, Disabled: true})
			case 3:
				h.ConnectorMissingAuth = []string{"ExchangeServer"}
			case 4:
				sc.Blocks = append(sc.Blocks, Block{From: name, To: h.DC, Port: 88, Protocol: "tcp"})
			}
			sc.Hosts = append(sc.Hosts, h)
		}
		ex += count
	}
	return sc
}
