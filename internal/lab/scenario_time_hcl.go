package lab

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// decodeTimeKeeping reads how a scenario host keeps its time: what Group
// Policy sets for W32Time (time_policy_type, time_policy_ntp_server) and
// the hypervisor it runs on (hypervisor, hypervisor_time_sync,
// hypervisor_clock_offset). Problems are added to diags.
func decodeTimeKeeping(h hostBlock, spec *HostSpec, str func(hcl.Expression) (string, bool), duration func(hcl.Expression, string) time.Duration,
	errorAt func(hcl.Expression, string, string, ...any), diags *hcl.Diagnostics) {
	if t, ok := str(h.TimePolicyType); ok {
		canonical, known := timeTypes[strings.ToLower(t)]
		if !known {
			errorAt(h.TimePolicyType, "Invalid time policy type", `time_policy_type must be "NT5DS", "NTP", "AllSync" or "NoSync".`)
		}
		spec.TimePolicyType = canonical
	}
	spec.TimePolicyNTPServer = h.TimePolicyNTPServer
	if v, ok := str(h.Hypervisor); ok {
		if v != HypervisorHyperV && v != HypervisorVMware {
			errorAt(h.Hypervisor, "Invalid hypervisor", `hypervisor must be %q or %q.`, HypervisorHyperV, HypervisorVMware)
		}
		spec.Hypervisor = v
	}
	if h.HypervisorTimeSync != nil && !isNullExpr(h.HypervisorTimeSync) {
		*diags = append(*diags, gohcl.DecodeExpression(h.HypervisorTimeSync, nil, &spec.HypervisorTimeSync)...)
		if spec.Hypervisor == "" {
			errorAt(h.HypervisorTimeSync, "Time sync without a hypervisor", "hypervisor_time_sync needs hypervisor = \"hyper-v\" or \"vmware\".")
		}
	}
	spec.HypervisorClockOffset = duration(h.HypervisorClockOffset, "hypervisor_clock_offset")
	if h.HypervisorClockOffset != nil && !isNullExpr(h.HypervisorClockOffset) && spec.Hypervisor == "" {
		errorAt(h.HypervisorClockOffset, "Clock offset without a hypervisor", "hypervisor_clock_offset needs hypervisor = \"hyper-v\" or \"vmware\".")
	}
}
