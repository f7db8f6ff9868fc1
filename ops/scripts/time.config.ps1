# rectify:op time.config v1
# rectify:uses args, json, registry, native
# Reads how the host keeps its time, for the clock step's decisions: its
# domain role; W32Time's Type and NtpServer under
# HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters; the same
# values where Group Policy sets them, under
# HKLM:\SOFTWARE\Policies\Microsoft\W32Time\Parameters (W32Time then uses
# those); whether the host is a Hyper-V guest
# (HKLM:\SOFTWARE\Microsoft\Virtual Machine\Guest\Parameters exists) and
# the Enabled value of its VM IC time provider
# (HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\VMICTimeProvider);
# and, when VMware Tools are installed, what "VMwareToolboxCmd.exe timesync
# status" prints. Arguments: {} (none). Result: {"is_dc","pdc_emulator",
# "parameters":{"type","ntp_server"},"policy":{"type","ntp_server"},
# "hyperv_guest","hyperv_time_provider","vmware_time_sync"}; each registry
# value as registry.get reports it; vmware_time_sync is {"command",
# "exit_code","output"} or null.
$w32time = Resolve-RegistryPath 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
$policy = Resolve-RegistryPath 'HKLM:\SOFTWARE\Policies\Microsoft\W32Time\Parameters'
$vmic = Resolve-RegistryPath 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\VMICTimeProvider'
$guest = Resolve-RegistryPath 'HKLM:\SOFTWARE\Microsoft\Virtual Machine\Guest\Parameters'

# DomainRole: 4 backup domain controller, 5 primary domain controller (the
# PDC emulator).
$system = $null
try {
    $system = Get-CimInstance -ClassName Win32_ComputerSystem
} catch {
    $system = Get-WmiObject -Class Win32_ComputerSystem
}
$role = [int]$system.DomainRole
$isDC = ($role -eq 4 -or $role -eq 5)
$pdcEmulator = ($role -eq 5)
if ($isDC) {
    # Ask the domain who holds the PDC role when the directory answers; the
    # DomainRole above stands when it does not.
    try {
        Add-Type -AssemblyName System.DirectoryServices
        $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetComputerDomain()
        $owner = [string]$domain.PdcRoleOwner.Name
        if ($owner -ne '') {
            $fqdn = ([string]$system.DNSHostName + '.' + [string]$system.Domain)
            $short = ($owner -split '\.')[0]
            $pdcEmulator = ($owner -eq $fqdn -or $short -eq [string]$system.Name)
        }
    } catch {
        $pdcEmulator = ($role -eq 5)
    }
}

$guestKey = $guest.Base.OpenSubKey($guest.SubKey, $false)
$isGuest = ($null -ne $guestKey)
if ($isGuest) {
    $guestKey.Close()
}

$vmware = $null
$toolbox = Join-Path $env:ProgramFiles 'VMware\VMware Tools\VMwareToolboxCmd.exe'
if (Test-Path -LiteralPath $toolbox -PathType Leaf) {
    $vmware = Invoke-NativeCommand 'VMwareToolboxCmd.exe timesync status' $toolbox @('timesync', 'status')
}

$result = [ordered]@{
    is_dc                = $isDC
    pdc_emulator         = $pdcEmulator
    parameters           = [ordered]@{ type = (Read-RegistryValue $w32time 'Type'); ntp_server = (Read-RegistryValue $w32time 'NtpServer') }
    policy               = [ordered]@{ type = (Read-RegistryValue $policy 'Type'); ntp_server = (Read-RegistryValue $policy 'NtpServer') }
    hyperv_guest         = $isGuest
    hyperv_time_provider = (Read-RegistryValue $vmic 'Enabled')
    vmware_time_sync     = $vmware
}
ConvertTo-AsciiJson $result
