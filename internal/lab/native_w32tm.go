package lab

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// w32tm answers the w32tm commands the KB uses: /stripchart ... /dataonly,
// /resync [/rediscover], /config ..., /query /source.
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
	}
	return "The following error occurred: The parameter is incorrect. (0x80070057)\r\n", 1
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

const w32tmNotStarted = "The following error occurred: The service has not been started. (0x80070426)\r\n"

func (o *Org) stripchart(h *Host, flags slashFlags) (string, int) {
	target := flags["computer"]
	samples := 3
	if s := flags["samples"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return "The following error occurred: The parameter is incorrect. (0x80070057)\r\n", 1
		}
		samples = min(n, 100)
	}
	var b strings.Builder
	to, ok := o.Host(target)
	if target == "" || !ok {
		fmt.Fprintf(&b, "Tracking %s [error 0x80072AF9].\r\n", target)
		b.WriteString("The following error occurred: No such host is known. (0x80072AF9)\r\n")
		return b.String(), 1
	}
	fmt.Fprintf(&b, "Tracking %s [%s:123].\r\n", target, to.IP)
	fmt.Fprintf(&b, "Collecting %d samples.\r\n", samples)
	now := h.Now()
	fmt.Fprintf(&b, "The current time is %s.\r\n", now.Format("1/2/2006 3:04:05 PM"))
	blocked := h.Blocked(to.Name, 123, "udp")
	offset := to.ClockOffset() - h.ClockOffset()
	for i := 0; i < samples; i++ {
		at := now.Add(time.Duration(i) * 2 * time.Second)
		if blocked {
			fmt.Fprintf(&b, "%s, error: 0x800705B4\r\n", at.Format("15:04:05"))
			continue
		}
		fmt.Fprintf(&b, "%s, %+011.7fs\r\n", at.Format("15:04:05"), offset.Seconds())
	}
	return b.String(), 0
}

// resync syncs the clock from the configured source, as w32tm /resync does.
func (o *Org) resync(h *Host) (string, int) {
	const head = "Sending resync command to local computer\r\n"
	if h.Service("w32time") != "Running" {
		return w32tmNotStarted, 1
	}
	src, ok := o.configuredSource(h)
	if !ok {
		return head + "The computer did not resync because no time data was available.\r\n", 1
	}
	if src != nil {
		if h.Blocked(src.Name, 123, "udp") {
			return head + "The computer did not resync because no time data was available.\r\n", 1
		}
		h.SetClockOffset(src.ClockOffset())
		h.LogEvent(Event{
			Log: "System", Provider: "Microsoft-Windows-Time-Service", ID: 35, Time: h.Now(), Level: LevelInformation,
			Message: fmt.Sprintf("The time service is now synchronizing the system time with the time source %s (ntp.d|0.0.0.0:123->%s:123).", src.FQDN, src.IP),
			Data:    map[string]string{"TimeSource": fmt.Sprintf("%s (ntp.d|0.0.0.0:123->%s:123)", src.FQDN, src.IP)},
		})
	}
	return head + "The command completed successfully.\r\n", 0
}

// configuredSource is the host a host's w32time follows: under NT5DS the
// domain hierarchy, under NTP the first NtpServer when it is a lab host.
// A nil host with ok set means the host is the root of the hierarchy.
func (o *Org) configuredSource(h *Host) (*Host, bool) {
	typ, _, _ := h.RegistryValue(W32TimeParametersKey, "Type")
	kind, _ := typ.Data.(string)
	switch strings.ToUpper(kind) {
	case "", "NT5DS", "ALLSYNC":
		src := o.timeSource(h)
		return src, src != nil || h.PDC
	case "NTP":
		peers, _, _ := h.RegistryValue(W32TimeParametersKey, "NtpServer")
		list, _ := peers.Data.(string)
		for _, peer := range strings.Fields(list) {
			name, _, _ := strings.Cut(peer, ",")
			if src, ok := o.Host(name); ok {
				return src, true
			}
			return nil, false // an outside source the lab cannot reach
		}
	}
	return nil, false
}

func (o *Org) timeSourceName(h *Host) string {
	src, ok := o.configuredSource(h)
	switch {
	case ok && src != nil:
		return src.FQDN
	case ok:
		return "Local CMOS Clock"
	}
	peers, _, _ := h.RegistryValue(W32TimeParametersKey, "NtpServer")
	if s, _ := peers.Data.(string); s != "" {
		return strings.Fields(s)[0]
	}
	return "Free-running System Clock"
}

func (o *Org) w32tmConfig(h *Host, flags slashFlags) (string, int) {
	if flags.has("update") && h.Service("w32time") != "Running" {
		return w32tmNotStarted, 1
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
			return "The following error occurred: The parameter is incorrect. (0x80070057)\r\n", 1
		}
		_ = h.SetRegistryValue(W32TimeParametersKey, "Type", RegistryValue{Kind: "String", Data: typ})
	}
	if v, ok := flags["manualpeerlist"]; ok {
		_ = h.SetRegistryValue(W32TimeParametersKey, "NtpServer", RegistryValue{Kind: "String", Data: v})
	}
	return "The command completed successfully.\r\n", 0
}
