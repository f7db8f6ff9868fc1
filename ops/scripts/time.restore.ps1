# rectify:op time.restore v1
# Puts back the W32Time values a resync overwrote (the clock step's undo):
# Type and NtpServer under
# HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters, each
# written as recorded or deleted when it did not exist, then
#   w32tm /config /update      (the service reads them)
#   w32tm /resync /rediscover  (and takes the time from that source again)
# Arguments: {"settings":{"type","ntp_server"},
# "expect_type"}: each setting as registry.get reports a value (String or
# ExpandString); when the Type the host has now is not expect_type (what
# the resync set), the script throws "stale: ..." before changing anything.
# Result: {"before":{"type","ntp_server"},"commands"}: the values before the
# restore and one run per w32tm command, in that order.
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

function Set-RecordedValue($Location, [string]$Name, $Recorded) {
    $key = $Location.Base.CreateSubKey($Location.SubKey)
    try {
        if (-not [bool]$Recorded.exists) {
            if (@($key.GetValueNames()) -contains $Name) {
                $key.DeleteValue($Name)
            }
            return
        }
        $kind = [string]$Recorded.kind
        if ($kind -ne 'String' -and $kind -ne 'ExpandString') {
            throw ('time.restore: {0} must be a String or ExpandString value, not {1}' -f $Name, $kind)
        }
        $key.SetValue($Name, [string]$Recorded.data, [Microsoft.Win32.RegistryValueKind]$kind)
    } finally {
        $key.Close()
    }
}

if ($null -eq $a.settings -or $null -eq $a.settings.type -or $null -eq $a.settings.ntp_server) {
    throw 'time.restore: settings.type and settings.ntp_server are required'
}
$w32time = Resolve-RegistryPath 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
$before = [ordered]@{ type = (Read-RegistryValue $w32time 'Type'); ntp_server = (Read-RegistryValue $w32time 'NtpServer') }
if (-not $before.type.exists -or [string]$before.type.data -ne [string]$a.expect_type) {
    throw 'stale: W32Time''s Type changed since the resync set it'
}
Set-RecordedValue $w32time 'Type' $a.settings.type
Set-RecordedValue $w32time 'NtpServer' $a.settings.ntp_server
$w32tm = Join-Path $env:SystemRoot 'System32\w32tm.exe'
$update = Invoke-NativeCommand 'w32tm /config /update' $w32tm @('/config', '/update')
$resync = Invoke-NativeCommand 'w32tm /resync /rediscover' $w32tm @('/resync', '/rediscover')
ConvertTo-AsciiJson ([ordered]@{ before = $before; commands = @($update, $resync) })
