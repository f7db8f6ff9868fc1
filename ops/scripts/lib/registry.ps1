# Resolve-RegistryPath turns a PowerShell registry path ("HKLM:\Key",
# "Registry::HKEY_LOCAL_MACHINE\Key") into the hive's base key and the
# subkey's path, without the registry provider.
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

# Read-RegistryValue reads one value as registry.get reports it: whether
# the key and the value exist, the value's kind, and its data.
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
