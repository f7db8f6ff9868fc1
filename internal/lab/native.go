package lab

import (
	"context"
	"fmt"
	"strings"
)

// native runs one of the Windows programs the KB uses and returns its
// output (standard output and error interleaved, as the KB's steps read
// it) and exit code.
func (o *Org) native(ctx context.Context, h *Host, program string, argv []string) (string, int) {
	out, errs, code := o.nativeStreams(ctx, h, program, argv)
	return out + errs, code
}

// nativeStreams runs a native program as native does, with its standard
// output and standard error apart.
func (o *Org) nativeStreams(ctx context.Context, h *Host, program string, argv []string) (stdout, stderr string, code int) {
	switch program {
	case "reg":
		return o.reg(h, argv)
	case "wevtutil":
		return o.wevtutil(h, argv)
	}
	out, code := o.nativeOutput(ctx, h, program, argv)
	return out, "", code
}

// nativeOutput runs the programs that print everything on standard output.
func (o *Org) nativeOutput(ctx context.Context, h *Host, program string, argv []string) (string, int) {
	switch program {
	case "w32tm":
		return o.w32tm(h, argv)
	case "repadmin":
		if h.Role != RoleDC {
			return fmt.Sprintf("'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", program), 1
		}
		return o.repadmin(ctx, h, argv)
	case "setspn":
		return o.setspn(h, argv)
	case "net":
		return o.netCommand(h, argv)
	case "klist":
		return o.klist(h, argv)
	case vmwareToolbox:
		if h.vm.kind == HypervisorVMware {
			return o.vmwareToolboxCmd(h, argv)
		}
	}
	return fmt.Sprintf("'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", program), 1
}

// hasNative reports whether the host has a native program the lab
// answers (a program name without directory or extension, in lower case).
func (o *Org) hasNative(h *Host, program string) bool {
	switch program {
	case "w32tm", "setspn", "net", "klist", "reg", "wevtutil":
		return true
	case "repadmin":
		return h.Role == RoleDC
	case vmwareToolbox:
		return h.vm.kind == HypervisorVMware
	}
	return false
}

// domainDN is the domain's naming context ("DC=corp,DC=example,DC=com").
func (o *Org) domainDN() string {
	parts := strings.Split(o.Domain, ".")
	for i, p := range parts {
		parts[i] = "DC=" + p
	}
	return strings.Join(parts, ",")
}

// namingContexts lists the partitions every DC holds, as repadmin lists them.
func (o *Org) namingContexts() []string {
	d := o.domainDN()
	return []string{
		d,
		"CN=Configuration," + d,
		"CN=Schema,CN=Configuration," + d,
		"DC=DomainDnsZones," + d,
		"DC=ForestDnsZones," + d,
	}
}

// ntdsSettingsDN is a DC's NTDS Settings object.
func (o *Org) ntdsSettingsDN(dc *Host) string {
	return fmt.Sprintf("CN=NTDS Settings,CN=%s,CN=Servers,CN=%s,CN=Sites,CN=Configuration,%s", dc.NetBIOS, dc.Site, o.domainDN())
}
