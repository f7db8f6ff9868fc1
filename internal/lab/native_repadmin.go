package lab

import (
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// repadmin answers repadmin /showrepl, /replicate and /syncall in the
// organisation's locale. Whatever binds to a DC other than the one it runs
// on does so as the session's user, and fails in a session without
// onward credentials (the second hop) as it does on Windows.
func (o *Org) repadmin(ctx context.Context, h *Host, argv []string) (string, int) {
	if len(argv) == 0 {
		return o.repadminText("command.help") + "\r\n", 1
	}
	switch strings.ToLower(argv[0]) {
	case "/syncall":
		return o.repadminSyncAll(ctx, h, argv[1:])
	case "/showrepl", "/showreps":
		return o.repadminShowRepl(ctx, h, argv[1:])
	case "/replicate":
		return o.repadminReplicate(ctx, h, argv[1:])
	}
	return o.repadminText("command.unknown", argv[0]) + "\r\n" + o.repadminText("command.help") + "\r\n", 1
}

// repadminText is one of repadmin's sentences in the organisation's
// locale.
func (o *Org) repadminText(id string, args ...any) string {
	return o.locale.text(toolRepadmin, id, args...)
}

// win32Line is a Win32 status as repadmin prints it after a colon: the
// message indented on its own line.
func (o *Org) win32Line(code int) string {
	return "    " + o.locale.win32Message(code) + "\r\n"
}

// ldapError is repadmin's line for a DC it could not read over LDAP.
func (o *Org) ldapError(ldapCode int, nameID string, win32 int) string {
	return o.repadminText("ldap.error", ldapCode, o.repadminText(nameID), win32)
}

// The LDAP and Win32 codes of a DC repadmin cannot read.
const (
	// ldapServerDown and win32NetNameDeleted: the DC does not answer LDAP
	// ("LDAP error 81 (Server Down) Win32 Err 58.").
	ldapServerDown      = 81
	win32NetNameDeleted = 58
	// ldapOperationsError and win32OperationsError: the DC answered an
	// anonymous session (no credentials went with the bind) and refuses to
	// read for it, as ADSI reports the second hop ("An operations error
	// occurred.").
	ldapOperationsError  = 1
	win32OperationsError = 8224
)

// unreadable says why repadmin on h cannot read DC d, or "" when it can:
// the second hop, or a DC whose directory service does not answer.
func (o *Org) unreadable(ctx context.Context, h, d *Host) string {
	if hop := onward(ctx, h, d.Name); hop != nil {
		return o.ldapError(ldapOperationsError, "ldap.operationsErr", win32OperationsError)
	}
	if !d.directoryRunning() || (d != h && h.Blocked(d.Name, 389, "tcp")) {
		return o.ldapError(ldapServerDown, "ldap.serverDown", win32NetNameDeleted)
	}
	return ""
}

// repadminShowRepl answers /showrepl [DSA_LIST] [/csv]: the inbound links
// of the local DC by default, of every DC with "*", or of the DCs named.
// A DC that cannot be read gets an error row (showrepl_ERROR, site,
// server, message) and no links.
func (o *Org) repadminShowRepl(ctx context.Context, h *Host, argv []string) (string, int) {
	var targets []*Host
	var unknown []string
	asCSV := false
	for _, a := range argv {
		switch {
		case strings.EqualFold(a, "/csv"):
			asCSV = true
		case strings.HasPrefix(a, "/"):
		case a == "*":
			targets = append(targets, o.DCs()...)
		default:
			dc, ok := o.Host(a)
			if isSelf(h, a) {
				dc, ok = h, true
			}
			if !ok || dc.Role != RoleDC {
				unknown = append(unknown, a)
				continue
			}
			targets = append(targets, dc)
		}
	}
	if len(targets) == 0 && len(unknown) == 0 {
		targets = []*Host{h}
	}
	links := o.ReplLinks()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if asCSV {
		_ = w.Write(append([]string{"showrepl_COLUMNS"}, strings.Split(o.repadminText("columns"), ",")...))
	}
	failed := 0
	for _, name := range unknown {
		failed++
		msg := o.ldapError(ldapServerDown, "ldap.serverDown", win32NetNameDeleted)
		if asCSV {
			_ = w.Write([]string{"showrepl_ERROR", "", name, msg})
			continue
		}
		fmt.Fprintf(&b, "%s\r\n%s\r\n\r\n", o.repadminText("showrepl.banner", name), msg)
	}
	for _, dc := range targets {
		if why := o.unreadable(ctx, h, dc); why != "" {
			failed++
			if asCSV {
				_ = w.Write([]string{"showrepl_ERROR", dc.Site, dc.NetBIOS, why})
			} else {
				fmt.Fprintf(&b, "%s\r\n%s\r\n\r\n", o.repadminText("showrepl.banner", dc.FQDN), why)
			}
			continue
		}
		var mine []ReplLink
		for _, l := range links {
			if l.Destination == dc.Name {
				mine = append(mine, l)
			}
		}
		if asCSV {
			o.showReplCSV(w, dc, mine)
		} else {
			b.WriteString(o.showReplText(dc, mine))
		}
	}
	w.Flush()
	if failed > 0 {
		return b.String(), 1
	}
	return b.String(), 0
}

func (o *Org) showReplCSV(w *csv.Writer, dest *Host, links []ReplLink) {
	for _, l := range links {
		src, ok := o.Host(l.Source)
		if !ok {
			continue
		}
		_ = w.Write([]string{"showrepl_INFO", dest.Site, dest.NetBIOS, l.NamingContext, src.Site, src.NetBIOS, "RPC",
			fmt.Sprint(l.Failures), o.replTime(dest, l.LastFailureTime), o.replTime(dest, l.LastSuccessTime), fmt.Sprint(l.LastStatus)})
	}
}

// replTime prints a time on the DC's clock as repadmin does in the
// locale; a time that never happened is "0".
func (o *Org) replTime(dc *Host, t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return t.Add(dc.ClockOffset()).UTC().Format(o.repadminText("time"))
}

func (o *Org) showReplText(dest *Host, links []ReplLink) string {
	var b strings.Builder
	b.WriteString(o.repadminText("showrepl.banner", dest.FQDN) + "\r\n")
	b.WriteString(o.repadminText("showrepl.dc", dest.Site, dest.NetBIOS, dsaGUID(dest.Name)) + "\r\n")
	for _, l := range links {
		src, ok := o.Host(l.Source)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%s\r\n%s\r\n", l.NamingContext, o.repadminText("showrepl.via", src.Site, src.NetBIOS, dsaGUID(src.Name)))
		if l.LastStatus == ReplOK {
			fmt.Fprintf(&b, "%s\r\n\r\n", o.repadminText("showrepl.success", o.replTime(dest, l.LastSuccessTime)))
			continue
		}
		fmt.Fprintf(&b, "%s\r\n        %s%s\r\n%s\r\n\r\n",
			o.repadminText("showrepl.failure", o.replTime(dest, l.LastFailureTime), l.LastStatus, l.LastStatus),
			o.win32Line(l.LastStatus), o.repadminText("showrepl.failures", l.Failures),
			o.repadminText("showrepl.lastOK", o.replTime(dest, l.LastSuccessTime)))
	}
	return b.String()
}

// repadminReplicate answers /replicate <destination> <source> <naming
// context>: the destination pulls the naming context from the source. It
// binds to the destination as the session's user (a hop unless it is the
// local DC); the destination then replicates with its own credentials.
func (o *Org) repadminReplicate(ctx context.Context, h *Host, argv []string) (string, int) {
	var words []string
	for _, a := range argv {
		if !strings.HasPrefix(a, "/") {
			words = append(words, a)
		}
	}
	if len(words) != 3 {
		return o.repadminText("replicate.usage") + "\r\n" + o.repadminText("command.help") + "\r\n", 1
	}
	destName, srcName, nc := words[0], words[1], words[2]
	bindFailed := func(code int) (string, int) {
		return o.repadminText("replicate.bind", destName, code, code) + "\r\n" + o.win32Line(code), 1
	}
	dest, ok := o.Host(destName)
	if isSelf(h, destName) {
		dest, ok = h, true
	}
	if !ok || dest.Role != RoleDC {
		return bindFailed(ReplRPCUnavailable)
	}
	if hop := onward(ctx, h, dest.Name); hop != nil {
		return bindFailed(5)
	}
	if !dest.directoryRunning() {
		return bindFailed(ReplNoEndpoints)
	}
	status := ReplNotFromSource
	if src, ok := o.Host(srcName); ok && src.Role == RoleDC {
		_, status = o.replicate(dest, src, nc)
	}
	if status != ReplOK {
		return o.repadminText("replicate.failed", status, status) + "\r\n" + o.win32Line(status), 1
	}
	return o.repadminText("replicate.ok", srcName, destName) + "\r\n", 0
}

// repadminSyncAll answers /syncall [DC] [/flags]. It contacts the DC and
// every partner the sync involves as the session's user: without onward
// credentials every other DC refuses, and repadmin stops with the fatal
// error of the public capture (GOAD issue 140) before replicating
// anything.
func (o *Org) repadminSyncAll(ctx context.Context, h *Host, argv []string) (string, int) {
	target := h
	var flags string
	for _, a := range argv {
		if strings.HasPrefix(a, "/") {
			flags += a[1:]
			continue
		}
		dc, ok := o.Host(a)
		if isSelf(h, a) {
			dc, ok = h, true
		}
		if !ok || dc.Role != RoleDC {
			return o.repadminText("syncall.unknownHost", a) + "\r\n" +
				o.ldapError(ldapServerDown, "ldap.serverDown", win32NetNameDeleted) + "\r\n" +
				o.repadminText("syncall.fatal", ReplRPCUnavailable, ReplRPCUnavailable) + "\r\n" + o.win32Line(ReplRPCUnavailable), 1
		}
		target = dc
	}
	all := strings.Contains(flags, "A")
	showDN := strings.Contains(flags, "d")
	enterprise := strings.Contains(flags, "e")
	push := strings.Contains(flags, "P")
	domain := o.domainDN()
	inScope := func(nc string) bool { return all || strings.EqualFold(nc, domain) }

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
		b.WriteString(o.repadminText("syncall.all", target.NetBIOS) + "\r\n")
	}

	// The DCs the sync contacts, each of which needs the session's
	// credentials unless it is the local DC.
	if refused := o.syncAllRefusals(ctx, h, target, push, enterprise, inScope); len(refused) > 0 {
		for _, nc := range o.namingContexts() {
			if inScope(nc) {
				b.WriteString(o.repadminText("syncall.partition", nc) + "\r\n")
				break
			}
		}
		for _, dc := range refused {
			b.WriteString(o.repadminText("syncall.contact", name(dc), ReplRPCUnavailable, ReplRPCUnavailable) + "\r\n" + o.win32Line(ReplRPCUnavailable))
		}
		b.WriteString("\r\n" + o.repadminText("syncall.fatal", 8440, 8440) + "\r\n" + o.win32Line(8440))
		return b.String(), 1
	}

	res := o.syncAll(target, push, enterprise, inScope)
	seen := map[string]bool{}
	for _, nc := range o.namingContexts() {
		if !inScope(nc) {
			continue
		}
		b.WriteString(o.repadminText("syncall.partition", nc) + "\r\n")
		for _, l := range res.Synced {
			if l.NamingContext != nc {
				continue
			}
			pair := o.repadminText("syncall.from", name(l.Source)) + "\r\n" + o.repadminText("syncall.to", name(l.Destination)) + "\r\n"
			b.WriteString(o.repadminText("syncall.inProgress") + "\r\n" + pair)
			b.WriteString(o.repadminText("syncall.completed") + "\r\n" + pair)
		}
		for _, l := range res.Errors {
			if l.NamingContext != nc || seen[l.Source+"/"+l.Destination] {
				continue
			}
			seen[l.Source+"/"+l.Destination] = true
			b.WriteString(o.repadminText("syncall.contact", name(l.Source), l.LastStatus, l.LastStatus) + "\r\n" + o.win32Line(l.LastStatus))
		}
	}
	b.WriteString(o.repadminText("syncall.finished") + "\r\n")
	if res.OK {
		b.WriteString(o.repadminText("syncall.ok") + "\r\n\r\n")
		return b.String(), 0
	}
	b.WriteString(o.repadminText("syncall.summary") + "\r\n")
	for _, l := range res.Errors {
		b.WriteString(o.repadminText("syncall.issue", l.LastStatus, l.LastStatus, o.locale.win32Message(l.LastStatus)) + "\r\n" +
			o.repadminText("syncall.from", name(l.Source)) + "\r\n" + o.repadminText("syncall.to", name(l.Destination)) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String(), 1
}

// syncAllRefusals lists the DCs a /syncall from h on target contacts that
// refuse the session: the target itself when it is not h, and the
// partners the sync would involve (its sources, or with push the DCs it
// pushes to). It is empty when the session may make every hop.
func (o *Org) syncAllRefusals(ctx context.Context, h, target *Host, push, enterprise bool, inScope func(string) bool) []string {
	involved := []string{target.Name}
	seen := map[string]bool{target.Name: true}
	frontier := []string{target.Name}
	links := o.ReplLinks()
	for len(frontier) > 0 {
		cur := frontier[0]
		frontier = frontier[1:]
		for _, l := range links {
			if !inScope(l.NamingContext) {
				continue
			}
			var peer string
			switch {
			case push && l.Source == cur:
				peer = l.Destination
			case !push && l.Destination == cur:
				peer = l.Source
			default:
				continue
			}
			if seen[peer] {
				continue
			}
			seen[peer] = true
			involved = append(involved, peer)
			if push && enterprise {
				frontier = append(frontier, peer)
			}
		}
	}
	var refused []string
	for _, dc := range involved {
		if onward(ctx, h, dc) != nil {
			refused = append(refused, dc)
		}
	}
	return refused
}

// dsaGUID is a stable GUID for a DC's NTDS Settings object.
func dsaGUID(name string) string {
	f := fnv.New128a()
	f.Write([]byte(name))
	s := f.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}
