package lab

import "strings"

// vmwareToolbox is VMware Tools' command-line utility, which a VMware guest
// has under C:\Program Files\VMware\VMware Tools.
const vmwareToolbox = "vmwaretoolboxcmd"

// vmwareToolboxCmd answers "VMwareToolboxCmd.exe timesync status" and
// "timesync enable|disable" (VMware Tools documentation, "Using the VMware
// Tools Configuration Utility"; the Windows wording is unverified). A host
// that is not a VMware guest has no such program.
func (o *Org) vmwareToolboxCmd(h *Host, argv []string) (string, int) {
	if len(argv) == 2 && strings.EqualFold(argv[0], "timesync") {
		switch {
		case strings.EqualFold(argv[1], "status"):
			h.mu.Lock()
			on := h.vm.timeSync
			h.mu.Unlock()
			if on {
				return "Enabled\r\n", 0
			}
			return "Disabled\r\n", 0
		case strings.EqualFold(argv[1], "enable"), strings.EqualFold(argv[1], "disable"):
			on := strings.EqualFold(argv[1], "enable")
			h.mu.Lock()
			h.vm.timeSync = on
			h.mu.Unlock()
			if on {
				return "Enabled\r\n", 0
			}
			return "Disabled\r\n", 0
		}
	}
	return "Unknown command\r\n", 1
}
