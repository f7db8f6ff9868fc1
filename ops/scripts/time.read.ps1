# rectify:op time.read v1
# Reads the host's clock, the Kerberos clock tolerance and the host's
# domain role. Arguments: {} (none). Result: {"utc","skew_time_minutes",
# "skew_time_set","is_dc","pdc_emulator"}; utc is
# [DateTime]::UtcNow.ToString('o'), read last so that it is as close as
# possible to the moment the answer leaves the host. SkewTime is the REG_DWORD
# under HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters, 5
# minutes when absent.
param([Parameter(Mandatory=$true)][string]$ArgsBase64)
$ErrorActionPreference = 'Stop'
# Windows PowerShell 5.1 serializes wrapped arrays as {"value":[...],"Count":n}
# because of System.Array's extended type data; drop it for this process.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue
$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgsBase64)) | ConvertFrom-Json

# Protect-Ascii escapes everything outside ASCII in JSON text (where such
# characters can only stand inside strings) so the console code page cannot
# mangle it.
function Protect-Ascii([string]$Json) {
    return [regex]::Replace($Json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function ConvertTo-AsciiJson($Value) {
    return Protect-Ascii (ConvertTo-Json -Compress -Depth 6 -InputObject $Value)
}

$skewMinutes = 5
$skewSet = $false
$hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Default)
$kerberos = $hklm.OpenSubKey('SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters', $false)
if ($null -ne $kerberos) {
    try {
        if (@($kerberos.GetValueNames()) -contains 'SkewTime' -and [string]$kerberos.GetValueKind('SkewTime') -eq 'DWord') {
            $skewMinutes = [int]$kerberos.GetValue('SkewTime')
            $skewSet = $true
        }
    } finally {
        $kerberos.Close()
    }
}

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

$reading = [ordered]@{
    utc               = [DateTime]::UtcNow.ToString('o')
    skew_time_minutes = $skewMinutes
    skew_time_set     = $skewSet
    is_dc             = $isDC
    pdc_emulator      = $pdcEmulator
}
ConvertTo-AsciiJson $reading
