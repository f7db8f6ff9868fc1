package lab

import (
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// repadmin answers repadmin /syncall and /showrepl.
func (o *Org) repadmin(h *Host, argv []string) (string, int) {
	if len(argv) == 0 {
		return "Type \"repadmin /?\" for help.\r\n", 1
	}
	switch strings.ToLower(argv[0]) {
	case "/syncall":
		return o.repadminSyncAll(h, argv[1:])
	case "/showrepl":
		return o.repadminShowRepl(h, argv[1:])
	}
	return fmt.Sprintf("Error: Unrecognized command \"%s\".\r\nType \"repadmin /?\" for help.\r\n", argv[0]), 1
}

func (o *Org) repadminSyncAll(h *Host, argv []string) (string, int) {
	target := h
	var flags string
	for _, a := range argv {
		if strings.HasPrefix(a, "/") {
			flags += a[1:]
			continue
		}
		dc, ok := o.Host(a)
		if !ok || dc.Role != RoleDC {
			return fmt.Sprintf("repadmin running command /syncall against full DC %s\r\nError: LDAP error 0x51(81 (Server Down).\r\nSyncAll exited with fatal Win32 error: 8341 (0x2095):\r\n    A directory service error has occurred.\r\n", a), 1
		}
		target = dc
	}
	all := strings.Contains(flags, "A")
	showDN := strings.Contains(flags, "d")
	enterprise := strings.Contains(flags, "e")
	push := strings.Contains(flags, "P")
	domain := o.domainDN()
	res := o.syncAll(target, push, enterprise, func(nc string) bool { return all || strings.EqualFold(nc, domain) }, target.clock().UTC())

	name := func(dc string) string {
		d, ok := o.Host(dc)
		if !ok {
			return dc
		}
		if showDN {
			return o.ntdsSettingsDN(d)
		}
		return dsaGUID(d.Name) + "._msdcs." + o.Domain
	}
	var b strings.Builder
	if all {
		fmt.Fprintf(&b, "Syncing all NC's held on %s.\r\n", target.NetBIOS)
	}
	seen := map[string]bool{}
	for _, nc := range o.namingContexts() {
		if !all && !strings.EqualFold(nc, domain) {
			continue
		}
		fmt.Fprintf(&b, "Syncing partition: %s\r\n", nc)
		for _, l := range res.Synced {
			if l.NamingContext != nc {
				continue
			}
			fmt.Fprintf(&b, "CALLBACK MESSAGE: The following replication is in progress:\r\n    From: %s\r\n    To  : %s\r\n", name(l.Source), name(l.Destination))
			fmt.Fprintf(&b, "CALLBACK MESSAGE: The following replication completed successfully:\r\n    From: %s\r\n    To  : %s\r\n", name(l.Source), name(l.Destination))
		}
		for _, l := range res.Errors {
			if l.NamingContext != nc || seen[l.Source+"/"+l.Destination] {
				continue
			}
			seen[l.Source+"/"+l.Destination] = true
			fmt.Fprintf(&b, "CALLBACK MESSAGE: Error contacting server %s (network error): %d (0x%x):\r\n    %s\r\n", name(l.Source), l.LastStatus, l.LastStatus, replStatusText(l.LastStatus))
		}
	}
	b.WriteString("CALLBACK MESSAGE: SyncAll Finished.\r\n")
	if res.OK {
		b.WriteString("SyncAll terminated with no errors.\r\n\r\n")
		return b.String(), 0
	}
	b.WriteString("SyncAll reported the following errors:\r\n")
	for _, l := range res.Errors {
		fmt.Fprintf(&b, "Error issuing replication: %d (0x%x): %s\r\n    From: %s\r\n    To  : %s\r\n", l.LastStatus, l.LastStatus, replStatusText(l.LastStatus), name(l.Source), name(l.Destination))
	}
	b.WriteString("\r\n")
	return b.String(), 1
}

// dsaGUID is a stable GUID for a DC's NTDS Settings object.
func dsaGUID(name string) string {
	f := fnv.New128a()
	f.Write([]byte(name))
	s := f.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// repadminShowRepl answers /showrepl [* | DC] [/csv].
func (o *Org) repadminShowRepl(h *Host, argv []string) (string, int) {
	which := h.Name
	asCSV := false
	for _, a := range argv {
		switch {
		case strings.EqualFold(a, "/csv"):
			asCSV = true
		case strings.HasPrefix(a, "/"):
		case a == "*":
			which = "*"
		default:
			dc, ok := o.Host(a)
			if !ok || dc.Role != RoleDC {
				return fmt.Sprintf("Error: LDAP error 0x51(81 (Server Down).\r\nUnable to connect to %s.\r\n", a), 1
			}
			which = dc.Name
		}
	}
	var links []ReplLink
	for _, l := range o.ReplLinks() {
		if which == "*" || l.Destination == which {
			links = append(links, l)
		}
	}
	if asCSV {
		return o.showReplCSV(links), 0
	}
	return o.showReplText(links), 0
}

func (o *Org) showReplCSV(links []ReplLink) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	_ = w.Write([]string{"showrepl_COLUMNS", "Destination DSA Site", "Destination DSA", "Naming Context", "Source DSA Site", "Source DSA", "Transport Type", "Number of Failures", "Last Failure Time", "Last Success Time", "Last Failure Status"})
	for _, l := range links {
		dest, _ := o.Host(l.Destination)
		src, _ := o.Host(l.Source)
		if dest == nil || src == nil {
			continue
		}
		_ = w.Write([]string{"showrepl_INFO", dest.Site, dest.NetBIOS, l.NamingContext, src.Site, src.NetBIOS, "RPC",
			fmt.Sprint(l.Failures), replTime(dest, l.LastFailureTime), replTime(dest, l.LastSuccessTime), fmt.Sprint(l.LastStatus)})
	}
	w.Flush()
	return b.String()
}

// replTime prints a time on the DC's clock as repadmin's CSV does; a
// time that never happened is "0".
func replTime(dc *Host, t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return t.Add(dc.ClockOffset()).UTC().Format("2006-01-02 15:04:05")
}

func (o *Org) showReplText(links []ReplLink) string {
	var b strings.Builder
	last := ""
	for _, l := range links {
		dest, _ := o.Host(l.Destination)
		src, _ := o.Host(l.Source)
		if dest == nil || src == nil {
			continue
		}
		if dest.Name != last {
			last = dest.Name
			fmt.Fprintf(&b, "Repadmin: running command /showrepl against full DC %s\r\n%s\\%s\r\nDSA Options: (none)\r\nSite Options: (none)\r\nDSA object GUID: %s\r\n\r\n==== INBOUND NEIGHBORS ======================================\r\n\r\n",
				dest.FQDN, dest.Site, dest.NetBIOS, dsaGUID(dest.Name))
		}
		fmt.Fprintf(&b, "%s\r\n    %s\\%s via RPC\r\n        DSA object GUID: %s\r\n", l.NamingContext, src.Site, src.NetBIOS, dsaGUID(src.Name))
		if l.LastStatus == ReplOK {
			fmt.Fprintf(&b, "        Last attempt @ %s was successful.\r\n\r\n", replTime(dest, l.LastSuccessTime))
			continue
		}
		fmt.Fprintf(&b, "        Last attempt @ %s failed, result %d (0x%x):\r\n            %s\r\n        %d consecutive failure(s).\r\n        Last success @ %s.\r\n\r\n",
			replTime(dest, l.LastFailureTime), l.LastStatus, l.LastStatus, replStatusText(l.LastStatus), l.Failures, replTime(dest, l.LastSuccessTime))
	}
	return b.String()
}
