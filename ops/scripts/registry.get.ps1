# rectify:op registry.get v1
# Reads one registry value. Arguments: {"path","name"}; path is a
# PowerShell registry path ("HKLM:\SYSTEM\...", "Registry::HKEY_LOCAL_MACHINE\...").
# Result: {"key_exists","exists","kind","data"}: data is a number for DWord
# and QWord (unsigned), a string, a list for MultiString, base64 for Binary.
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

if ([string]::IsNullOrEmpty([string]$a.path)) {
    throw 'registry.get: path is required'
}
$location = Resolve-RegistryPath ([string]$a.path)
$value = Read-RegistryValue $location ([string]$a.name)
ConvertTo-AsciiJson $value
