# rectify:op registry.delete v1
# Deletes one registry value (never the key). Arguments: {"path","name",
# "expect"}; when expect is given and the current value differs from it
# (whether it exists, and if so its kind and data), the script throws
# "stale: ..." before changing anything. Deleting a value
# that is absent changes nothing.
# Result: {"previous","current","key_created"} (key_created is always false).
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

function Format-RegistryData([string]$Kind, $Data) {
    if ($null -eq $Data) {
        return '<none>'
    }
    try {
        switch ($Kind) {
            'DWord' { return ([decimal]$Data).ToString([Globalization.CultureInfo]::InvariantCulture) }
            'QWord' { return ([decimal]$Data).ToString([Globalization.CultureInfo]::InvariantCulture) }
            'MultiString' {
                $items = @(@($Data) | ForEach-Object { [string]$_ })
                return ([string]$items.Count) + ':' + ($items -join [string][char]0)
            }
            default { return [string]$Data }
        }
    } catch {
        return '<invalid>'
    }
}

function Test-SameRegistryValue($Expect, $Current) {
    if ([bool]$Expect.exists -ne [bool]$Current.exists) {
        return $false
    }
    if (-not $Current.exists) {
        return $true
    }
    if ([string]$Expect.kind -ne [string]$Current.kind) {
        return $false
    }
    return (Format-RegistryData $Current.kind $Expect.data) -ceq (Format-RegistryData $Current.kind $Current.data)
}

if ([string]::IsNullOrEmpty([string]$a.path)) {
    throw 'registry.delete: path is required'
}
$name = [string]$a.name
$location = Resolve-RegistryPath ([string]$a.path)
$previous = Read-RegistryValue $location $name
if ($null -ne $a.expect -and -not (Test-SameRegistryValue $a.expect $previous)) {
    throw 'stale: the registry value changed since it was read'
}
if ($previous.exists) {
    $key = $location.Base.OpenSubKey($location.SubKey, $true)
    try {
        $key.DeleteValue($name, $false)
    } finally {
        $key.Close()
    }
}
$current = Read-RegistryValue $location $name
ConvertTo-AsciiJson ([ordered]@{ previous = $previous; current = $current; key_created = $false })
