package lab

import (
	"fmt"
	"strings"
	"time"
)

// Registry locations of the Windows Time service beyond W32Time's own
// Parameters (see docs/windows.md for the sources).
const (
	// W32TimePolicyKey holds Type and NtpServer when Group Policy
	// ("Configure Windows NTP Client", W32Time.admx) sets them; W32Time
	// then uses them instead of its own.
	W32TimePolicyKey = `HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters`
	// VMICTimeProviderKey registers the Hyper-V guest time provider; its
	// Enabled value says whether W32Time starts it ("Registering a Time
	// Provider", Microsoft Learn).
	VMICTimeProviderKey = `HKLM\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\VMICTimeProvider`
	// HyperVGuestKey is written by the Hyper-V data exchange integration
	// service inside a guest (the host's name under it) *(unverified)*.
	HyperVGuestKey = `HKLM\SOFTWARE\Microsoft\Virtual Machine\Guest\Parameters`
)

// The hypervisors a lab host can run on.
const (
	HypervisorHyperV = "hyper-v"
	HypervisorVMware = "vmware"
)

// virtualMachine is what the lab knows of the hypervisor a host runs on.
type virtualMachine struct {
	// kind is "" on a physical host, else HypervisorHyperV or
	// HypervisorVMware.
	kind string
	// timeSync is set when the hypervisor offers the guest its clock: the
	// Hyper-V Time Synchronization integration service, or VMware Tools'
	// periodic time sync.
	timeSync bool
	// offset is how far the hypervisor host's clock is off.
	offset time.Duration
}

// seedTimeState writes how a new host keeps its time: W32Time following
// the domain hierarchy, or an outside NTP source; the VM IC time provider
// registered and enabled, as on a default install *(unverified)*; what
// Group Policy sets; and the hypervisor it runs on. An NTP server outside
// the domain that a host follows (itself or by policy) keeps the time
// the host shows: it is why the host is off.
func (o *Org) seedTimeState(h *Host, spec HostSpec) error {
	for _, list := range []string{spec.NTPServer, spec.TimePolicyNTPServer} {
		for _, peer := range strings.Fields(list) {
			name, _, _ := strings.Cut(peer, ",")
			if _, known := o.ntpServers[strings.ToLower(name)]; !known {
				o.ntpServers[strings.ToLower(name)] = spec.ClockOffset
			}
		}
	}
	if spec.NTPServer != "" {
		h.reg.set(W32TimeParametersKey, "Type", RegistryValue{Kind: "String", Data: "NTP"})
		h.reg.set(W32TimeParametersKey, "NtpServer", RegistryValue{Kind: "String", Data: spec.NTPServer})
	} else {
		h.reg.set(W32TimeParametersKey, "Type", RegistryValue{Kind: "String", Data: "NT5DS"})
	}
	h.reg.set(VMICTimeProviderKey, "Enabled", RegistryValue{Kind: "DWord", Data: uint32(1)})
	if spec.TimePolicyType != "" {
		if _, ok := timeTypes[strings.ToLower(spec.TimePolicyType)]; !ok {
			return fmt.Errorf("host %q: time policy type %q is not one of NT5DS, NTP, AllSync, NoSync", spec.Name, spec.TimePolicyType)
		}
		h.reg.set(W32TimePolicyKey, "Type", RegistryValue{Kind: "String", Data: timeTypes[strings.ToLower(spec.TimePolicyType)]})
	}
	if spec.TimePolicyNTPServer != "" {
		h.reg.set(W32TimePolicyKey, "NtpServer", RegistryValue{Kind: "String", Data: spec.TimePolicyNTPServer})
	}
	switch spec.Hypervisor {
	case "":
		if spec.HypervisorTimeSync {
			return fmt.Errorf("host %q: hypervisor time sync without a hypervisor", spec.Name)
		}
	case HypervisorHyperV:
		h.reg.set(HyperVGuestKey, "HostName", RegistryValue{Kind: "String", Data: "hv-" + h.Name + "." + h.Domain})
	case HypervisorVMware:
	default:
		return fmt.Errorf("host %q: hypervisor %q is neither %q nor %q", spec.Name, spec.Hypervisor, HypervisorHyperV, HypervisorVMware)
	}
	h.vm = virtualMachine{kind: spec.Hypervisor, timeSync: spec.HypervisorTimeSync, offset: spec.HypervisorClockOffset}
	return nil
}

// timeTypes are W32Time's Type values by folded name.
var timeTypes = map[string]string{"nt5ds": "NT5DS", "ntp": "NTP", "allsync": "AllSync", "nosync": "NoSync"}

// timeSetting is one W32Time value as the service uses it: from Group
// Policy when set there, else from its own Parameters.
type timeSetting struct {
	value  string
	policy bool
	set    bool
}

// timeSetting reads the W32Time value name as the service uses it.
func (h *Host) timeSetting(name string) timeSetting {
	if v, _, ok := h.RegistryValue(W32TimePolicyKey, name); ok {
		s, _ := v.Data.(string)
		return timeSetting{value: s, policy: true, set: true}
	}
	if v, _, ok := h.RegistryValue(W32TimeParametersKey, name); ok {
		s, _ := v.Data.(string)
		return timeSetting{value: s, set: true}
	}
	return timeSetting{}
}

// vmicActive reports whether W32Time takes the clock from the Hyper-V
// host: a Hyper-V guest whose VM IC time provider is enabled and whose
// host offers its time.
func (h *Host) vmicActive() bool {
	h.mu.Lock()
	vm := h.vm
	h.mu.Unlock()
	if vm.kind != HypervisorHyperV || !vm.timeSync {
		return false
	}
	v, _, ok := h.RegistryValue(VMICTimeProviderKey, "Enabled")
	if !ok {
		return false
	}
	n, _ := v.Data.(uint32)
	return n != 0
}

// vmwareTimeSync reports whether VMware Tools set the clock from the ESXi
// host.
func (h *Host) vmwareTimeSync() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.vm.kind == HypervisorVMware && h.vm.timeSync
}

// hypervisorTakesOver sets the clock to the hypervisor's when the
// hypervisor sets the guest's clock, as it does again after anything else
// moved it (VMware Tools every minute, the VM IC provider at once); it
// reports whether it did.
func (h *Host) hypervisorTakesOver() bool {
	if !h.vmicActive() && !h.vmwareTimeSync() {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.offset = h.vm.offset
	return true
}
