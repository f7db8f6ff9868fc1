# rectify:op time.config v1
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
param([Parameter(Mandatory=$true)][string]$ArgsBase64)
$ErrorActionPreference = 'Stop'
# Windows PowerShell 5.1 serializes wrapped arrays as {"value":[...],"Count":n}
# because of System.Array's extended type data; drop it for this process.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue
$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgsBase64)) | ConvertFrom-Json

function Resolve-RegistryPath([string]$Path) {
    $p = $Path -replace '^(Microsoft\.PowerShell\.Core\\)?Registry::', ''
    if ($p -notmatch '^(?<hive>[A-Za-z_]+):?(\\+(?<sub>.*))?$') {
        throw "registry path is not of the form HKLM:\Key\Subkey"
    }
    $hive = $Matches['hive'].ToUpperInvariant()
    $sub = ([string]$Matches['sub']).Trim('\')
    $root = $null
    switch ($hive) {
        'HKLM' { $root = [Microsoft.Win32.RegistryHive]::LocalMachine }
        'HKEY_LOCAL_MACHINE' { $root = [Microsoft.Win32.RegistryHive]::LocalMachine }
        'HKCU' { $root = [Microsoft.Win32.RegistryHive]::CurrentUser }
        'HKEY_CURRENT_USER' { $root = [Microsoft.Win32.RegistryHive]::CurrentUser }
        'HKU' { $root = [Microsoft.Win32.RegistryHive]::Users }
        'HKEY_USERS' { $root = [Microsoft.Win32.RegistryHive]::Users }
        'HKCR' { $root = [Microsoft.Win32.RegistryHive]::ClassesRoot }
        'HKEY_CLASSES_ROOT' { $root = [Microsoft.Win32.RegistryHive]::ClassesRoot }
        'HKCC' { $root = [Microsoft.Win32.RegistryHive]::CurrentConfig }
        'HKEY_CURRENT_CONFIG' { $root = [Microsoft.Win32.RegistryHive]::CurrentConfig }
        default { throw "unknown registry hive in path" }
    }
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey($root, [Microsoft.Win32.RegistryView]::Default)
    return New-Object PSObject -Property @{ Base = $base; SubKey = $sub }
}

function Read-RegistryValue($Location, [string]$Name) {
    $r = [ordered]@{ key_exists = $false; exists = $false }
    $key = $Location.Base.OpenSubKey($Location.SubKey, $false)
    if ($null -eq $key) {
        return $r
    }
    try {
        $r.key_exists = $true
        if (@($key.GetValueNames()) -notcontains $Name) {
            return $r
        }
        $kind = $key.GetValueKind($Name)
        $raw = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        $r.exists = $true
        $r.kind = [string]$kind
        switch ([string]$kind) {
            'DWord' { $r.data = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$raw), 0) }
            'QWord' { $r.data = [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]$raw), 0) }
            'String' { $r.data = [string]$raw }
            'ExpandString' { $r.data = [string]$raw }
            'MultiString' { $r.data = @(@($raw) | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_ }) }
            default {
                if ($raw -is [byte[]]) {
                    $r.data = [Convert]::ToBase64String($raw)
                } elseif ($null -ne $raw) {
                    $r.data = [string]$raw
                }
            }
        }
        return $r
    } finally {
        $key.Close()
    }
}

# Protect-Ascii escapes everything outside ASCII in JSON text (where such
# characters can only stand inside strings) so the console code page cannot
# mangle it.
function Protect-Ascii([string]$Json) {
    return [regex]::Replace($Json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function ConvertTo-AsciiJson($Value) {
    return Protect-Ascii (ConvertTo-Json -Compress -Depth 6 -InputObject $Value)
}

# Invoke-NativeCommand runs an executable with each argument passed as its
# own argument (never through a command string) and returns its text
# (standard output and error, in order) and exit code.
function Invoke-NativeCommand([string]$Display, [string]$FilePath, [string[]]$Arguments) {
    if (-not (Test-Path -LiteralPath $FilePath -PathType Leaf)) {
        throw ('{0}: {1} is not installed' -f $Display, $FilePath)
    }
    # Standard error lines arrive as error records; they are output here, not
    # failures.
    $ErrorActionPreference = 'Continue'
    $lines = @(& $FilePath @Arguments 2>&1 | ForEach-Object { [string]$_ })
    $code = $LASTEXITCODE
    return [ordered]@{ command = $Display; exit_code = [int]$code; output = ($lines -join "`n") }
}

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
