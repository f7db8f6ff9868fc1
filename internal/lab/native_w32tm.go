package lab

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HRESULTs w32tm prints, each the Win32 error of its low word
// (FACILITY_WIN32).
const (
	hrInvalidParameter = 0x80070057 // 87
	hrServiceNotActive = 0x80070426 // 1062
	hrTimeout          = 0x800705B4 // 1460
	hrHostNotFound     = 0x80072AF9 // 11001 (WSAHOST_NOT_FOUND)
)

// w32tm answers the w32tm commands the KB and rectify use, in the
// organisation's language: /stripchart ... /dataonly, /resync
// [/rediscover], /config ..., /query /source and /query /configuration.
func (o *Org) w32tm(h *Host, argv []string) (string, int) {
	flags := parseSlashFlags(argv)
	switch {
	case flags.has("stripchart"):
		return o.stripchart(h, flags)
	case flags.has("resync"):
		return o.resync(h)
	case flags.has("config"):
		return o.w32tmConfig(h, flags)
	case flags.has("query") && flags.has("source"):
		return o.timeSourceName(h) + "\r\n", 0
	case flags.has("query") && flags.has("configuration"):
		return o.w32tmConfiguration(h), 0
	}
	return o.w32tmError(hrInvalidParameter), 1
}

// w32tmText is one of w32tm's sentences in the organisation's language.
func (o *Org) w32tmText(id string, args ...any) string {
	return o.locale.text(toolW32tm, id, args...)
}

// w32tmError is w32tm's report of a failing HRESULT, with its line break.
func (o *Org) w32tmError(hr uint32) string {
	return o.w32tmText("error", o.locale.win32Message(int(hr&0xFFFF)), hr) + "\r\n"
}

// slashFlags are "/name" and "/name:value" arguments, names folded.
type slashFlags map[string]string

func parseSlashFlags(argv []string) slashFlags {
	f := slashFlags{}
	for _, a := range argv {
		if !strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "-") {
			continue
		}
		name, value, _ := strings.Cut(a[1:], ":")
		f[strings.ToLower(name)] = strings.Trim(value, `"`)
	}
	return f
}

func (f slashFlags) has(name string) bool { _, ok := f[name]; return ok }

func (o *Org) stripchart(h *Host, flags slashFlags) (string, int) {
	target := flags["computer"]
	samples := 3
	if s := flags["samples"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return o.w32tmError(hrInvalidParameter), 1
		}
		samples = min(n, 100)
	}
	var b strings.Builder
	to, ok := o.Host(target)
	if target == "" || !ok {
		b.WriteString(o.w32tmText("stripchart.unresolved", target, uint32(hrHostNotFound)) + "\r\n")
		b.WriteString(o.w32tmError(hrHostNotFound))
		return b.String(), 1
	}
	b.WriteString(o.w32tmText("stripchart.tracking", target, to.IP) + "\r\n")
	b.WriteString(o.w32tmText("stripchart.collecting", samples) + "\r\n")
	now := h.Now()
	b.WriteString(o.w32tmText("stripchart.now", now.Format(o.w32tmText("stripchart.time"))) + "\r\n")
	blocked := h.Blocked(to.Name, 123, "udp")
	offset := to.ClockOffset() - h.ClockOffset()
	for i := 0; i < samples; i++ {
		at := now.Add(time.Duration(i) * 2 * time.Second).Format("15:04:05")
		if blocked {
			b.WriteString(o.w32tmText("stripchart.sampleError", at, uint32(hrTimeout)) + "\r\n")
			continue
		}
		fmt.Fprintf(&b, "%s, %+011.7fs\r\n", at, offset.Seconds())
	}
	return b.String(), 0
}

// resync syncs the clock from the source W32Time uses, as w32tm /resync
// does: the Hyper-V host when the VM IC provider is active, else the
// configured source (Group Policy's settings first). VMware Tools set the
// clock back to the ESXi host's afterwards.
func (o *Org) resync(h *Host) (string, int) {
	head := o.w32tmText("resync.sending") + "\r\n"
	if h.Service("w32time") != "Running" {
		return o.w32tmError(hrServiceNotActive), 1
	}
	if h.vmicActive() {
		h.hypervisorTakesOver()
		return head + o.w32tmText("ok") + "\r\n", 0
	}
	src, ok := o.configuredSource(h)
	if !ok {
		return head + o.w32tmText("resync.noData") + "\r\n", 1
	}
	switch {
	case src.host != nil:
		if h.Blocked(src.host.Name, 123, "udp") {
			return head + o.w32tmText("resync.noData") + "\r\n", 1
		}
		h.SetClockOffset(src.host.ClockOffset())
		h.LogEvent(timeSyncEvent(h, src.host.FQDN, src.host.IP))
	case src.name != "":
		h.SetClockOffset(src.offset)
		h.LogEvent(timeSyncEvent(h, src.name, src.name))
	}
	h.hypervisorTakesOver()
	return head + o.w32tmText("ok") + "\r\n", 0
}

// timeSyncEvent is the Time-Service's event 35: it now synchronises from
// the source named.
func timeSyncEvent(h *Host, name, address string) Event {
	source := fmt.Sprintf("%s (ntp.d|0.0.0.0:123->%s:123)", name, address)
	return Event{
		Log: "System", Provider: "Microsoft-Windows-Time-Service", ID: 35, Time: h.Now(), Level: LevelInformation,
		Message: fmt.Sprintf("The time service is now synchronizing the system time with the time source %s.", source),
		Data:    map[string]string{"TimeSource": source},
	}
}

// clockSource is where a host's W32Time takes the time from: another lab
// host, an NTP server outside the domain (by name, with its clock), or
// nothing at all for the root of the domain hierarchy.
type clockSource struct {
	host   *Host
	name   string
	offset time.Duration
}

// configuredSource is the source a host's W32Time follows: under NT5DS
// the domain hierarchy, under NTP the first NtpServer (a lab host or an
// outside server the scenario named), with Group Policy's settings before
// W32Time's own. ok is false when the source cannot be reached.
func (o *Org) configuredSource(h *Host) (src clockSource, ok bool) {
	switch strings.ToUpper(h.timeSetting("Type").value) {
	case "", "NT5DS", "ALLSYNC":
		dc := o.timeSource(h)
		return clockSource{host: dc}, dc != nil || h.PDC
	case "NTP":
		for _, peer := range strings.Fields(h.timeSetting("NtpServer").value) {
			name, _, _ := strings.Cut(peer, ",")
			if other, ok := o.Host(name); ok {
				return clockSource{host: other}, true
			}
			offset, known := o.ntpServers[strings.ToLower(name)]
			return clockSource{name: name, offset: offset}, known
		}
	}
	return clockSource{}, false
}

func (o *Org) timeSourceName(h *Host) string {
	if h.vmicActive() {
		return o.w32tmText("source.vmic")
	}
	src, ok := o.configuredSource(h)
	switch {
	case ok && src.host != nil:
		return src.host.FQDN
	case ok && src.name != "":
		return src.name
	case ok:
		return o.w32tmText("source.local")
	}
	if peers := strings.Fields(h.timeSetting("NtpServer").value); len(peers) > 0 {
		return peers[0]
	}
	return o.w32tmText("source.free")
}

// w32tmConfiguration is the part of w32tm /query /configuration that says
// where the time comes from, in the layout of the public capture: "Name:
// value (Local)", or "(Policy)" for a value Group Policy sets *(the rest
// of the real output, and the policy mark, unverified)*.
func (o *Org) w32tmConfiguration(h *Host) string {
	var b strings.Builder
	b.WriteString("[Configuration]\r\n\r\n")
	fmt.Fprintf(&b, "EventLogFlags: 2 (%s)\r\n", o.w32tmText("config.local"))
	announce := 10
	if h.Role == RoleDC {
		announce = 5
	}
	fmt.Fprintf(&b, "AnnounceFlags: %d (%s)\r\n", announce, o.w32tmText("config.local"))
	b.WriteString("\r\n[TimeProviders]\r\n\r\n")
	fmt.Fprintf(&b, "NtpClient (%s)\r\n", o.w32tmText("config.local"))
	fmt.Fprintf(&b, "DllName: C:\\Windows\\system32\\w32time.dll (%s)\r\n", o.w32tmText("config.local"))
	fmt.Fprintf(&b, "Enabled: 1 (%s)\r\n", o.w32tmText("config.local"))
	fmt.Fprintf(&b, "InputProvider: 1 (%s)\r\n", o.w32tmText("config.local"))
	for _, name := range []string{"NtpServer", "Type"} {
		s := h.timeSetting(name)
		if !s.set {
			continue
		}
		where := o.w32tmText("config.local")
		if s.policy {
			where = o.w32tmText("config.policy")
		}
		fmt.Fprintf(&b, "%s: %s (%s)\r\n", name, s.value, where)
	}
	if v, _, ok := h.RegistryValue(VMICTimeProviderKey, "Enabled"); ok {
		n, _ := v.Data.(uint32)
		b.WriteString("\r\n")
		fmt.Fprintf(&b, "VMICTimeProvider (%s)\r\n", o.w32tmText("config.local"))
		fmt.Fprintf(&b, "DllName: C:\\Windows\\System32\\vmictimeprovider.dll (%s)\r\n", o.w32tmText("config.local"))
		fmt.Fprintf(&b, "Enabled: %d (%s)\r\n", n, o.w32tmText("config.local"))
		fmt.Fprintf(&b, "InputProvider: 1 (%s)\r\n", o.w32tmText("config.local"))
	}
	return b.String()
}

func (o *Org) w32tmConfig(h *Host, flags slashFlags) (string, int) {
	if flags.has("update") && h.Service("w32time") != "Running" {
		return o.w32tmError(hrServiceNotActive), 1
	}
	if v, ok := flags["syncfromflags"]; ok {
		typ := ""
		switch strings.ToLower(v) {
		case "domhier":
			typ = "NT5DS"
		case "manual":
			typ = "NTP"
		case "all", "domhier,manual", "manual,domhier":
			typ = "AllSync"
		case "no":
			typ = "NoSync"
		default:
			return o.w32tmError(hrInvalidParameter), 1
		}
		_ = h.SetRegistryValue(W32TimeParametersKey, "Type", RegistryValue{Kind: "String", Data: typ})
	}
	if v, ok := flags["manualpeerlist"]; ok {
		_ = h.SetRegistryValue(W32TimeParametersKey, "NtpServer", RegistryValue{Kind: "String", Data: v})
	}
	return o.w32tmText("ok") + "\r\n", 0
}
