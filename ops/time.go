package ops

// Registry locations of the Windows Time service and of Kerberos, as the
// time ops read them. docs/windows.md names the sources.
const (
	// W32TimeParametersKey holds W32Time's own Type and NtpServer.
	W32TimeParametersKey = `HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters`
	// W32TimePolicyKey holds the same values when Group Policy ("Configure
	// Windows NTP Client") sets them; W32Time then uses them instead.
	W32TimePolicyKey = `HKLM:\SOFTWARE\Policies\Microsoft\W32Time\Parameters`
	// VMICTimeProviderKey is the Hyper-V guest time provider; its Enabled
	// value says whether W32Time starts it.
	VMICTimeProviderKey = `HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\VMICTimeProvider`
	// HyperVGuestKey exists on a Hyper-V guest with the data exchange
	// integration service (the host's name under it).
	HyperVGuestKey = `HKLM:\SOFTWARE\Microsoft\Virtual Machine\Guest\Parameters`
	// KerberosParametersKey holds SkewTime and LogLevel.
	KerberosParametersKey = `HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
)

// TimeReadArgs reads the host's clock and Kerberos tolerance.
type TimeReadArgs struct{}

// TimeReading is the host's UTC time ([DateTime]::UtcNow.ToString('o')),
// read as the op's last act, and the Kerberos SkewTime in minutes (5 when
// the value is absent). The op does nothing slow, so that the command's
// round trip, which bounds the reading's uncertainty, stays short.
type TimeReading struct {
	UTC             string `json:"utc"`
	SkewTimeMinutes int    `json:"skew_time_minutes"`
	SkewTimeSet     bool   `json:"skew_time_set"`
}

// TimeConfigArgs reads how the host keeps its time.
type TimeConfigArgs struct{}

// TimeKeeping is how a host keeps its time: its domain role, W32Time's
// configuration and what may take the clock over from it. Each registry
// value is reported as registry.get reports it.
type TimeKeeping struct {
	// IsDC is set on domain controllers; PDCEmulator on the PDC emulator.
	IsDC        bool `json:"is_dc"`
	PDCEmulator bool `json:"pdc_emulator"`
	// Parameters are W32Time's own Type and NtpServer
	// (W32TimeParametersKey).
	Parameters W32TimeSettings `json:"parameters"`
	// Policy are the values Group Policy sets (W32TimePolicyKey).
	Policy W32TimeSettings `json:"policy"`
	// HyperVGuest is set when HyperVGuestKey exists; HyperVTimeProvider
	// holds VMICTimeProviderKey's Enabled value.
	HyperVGuest        bool          `json:"hyperv_guest"`
	HyperVTimeProvider RegistryValue `json:"hyperv_time_provider"`
	// VMwareTimeSync is the output of VMware Tools' "VMwareToolboxCmd.exe
	// timesync status", or nil when VMware Tools are not installed (see
	// ParseVMwareTimeSync).
	VMwareTimeSync *CommandRun `json:"vmware_time_sync"`
}

// W32TimeSettings are the two values that say where W32Time takes its
// time from: Type (NT5DS: the domain hierarchy; NTP: the NtpServer list;
// AllSync: both; NoSync) and NtpServer ("peer,0x9 peer2,0x9").
type W32TimeSettings struct {
	Type      RegistryValue `json:"type"`
	NtpServer RegistryValue `json:"ntp_server"`
}

// TimeResyncArgs configures w32time to follow the domain hierarchy and
// resyncs: w32tm /config /syncfromflags:domhier /update, restart w32time,
// w32tm /resync /rediscover.
type TimeResyncArgs struct{}

// TimeResyncResult is what a resync overwrote and what it printed: the
// W32Time values before the change, the text of w32tm /query /source and
// /query /configuration before it (for the record; localized), and one run
// per step.
type TimeResyncResult struct {
	Previous              W32TimeSettings `json:"previous"`
	PreviousSource        CommandRun      `json:"previous_source"`
	PreviousConfiguration CommandRun      `json:"previous_configuration"`
	Commands              []CommandRun    `json:"commands"`
}

// TimeRestoreArgs puts back W32Time values a resync overwrote (undo): each
// value is written as recorded, or deleted when it did not exist, then
// w32tm /config /update and w32tm /resync /rediscover, so that the host
// takes its time from its previous source again. The script refuses
// ("stale: ...") when the Type the host has now is not ExpectType, what
// the resync set.
type TimeRestoreArgs struct {
	Settings   W32TimeSettings `json:"settings"`
	ExpectType string          `json:"expect_type"`
}

// TimeRestoreResult holds the values before the restore and one run per
// w32tm command.
type TimeRestoreResult struct {
	Before   W32TimeSettings `json:"before"`
	Commands []CommandRun    `json:"commands"`
}
