# rectify:op registry.set v1
# rectify:uses args, json, registry, registry_compare
# Writes one registry value, creating the key (and its parents) if missing.
# Arguments: {"path","name","kind","data","expect"}; kind is DWord, QWord,
# String, ExpandString, MultiString or Binary (data as base64). When expect
# is given and the current value differs from it (whether it exists, and
# if so its kind and data; key_exists is not compared), the script throws
# "stale: ..." before changing anything.
# Result: {"previous","current","key_created"}, each value as registry.get
# reports it.
function ConvertTo-WholeNumber($Data, [decimal]$Max) {
    if (-not ($Data -is [int] -or $Data -is [long] -or $Data -is [decimal] -or $Data -is [double])) {
        throw 'registry.set: data must be a number for DWord and QWord values'
    }
    $n = [decimal]$Data
    if ($n -ne [decimal]::Truncate($n) -or $n -lt 0 -or $n -gt $Max) {
        throw "registry.set: data must be a whole number from 0 to $Max"
    }
    return $n
}

function ConvertTo-RegistryData([string]$Kind, $Data) {
    switch ($Kind) {
        'DWord' {
            $n = ConvertTo-WholeNumber $Data ([decimal][uint32]::MaxValue)
            return [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$n), 0)
        }
        'QWord' {
            $n = ConvertTo-WholeNumber $Data ([decimal][uint64]::MaxValue)
            return [BitConverter]::ToInt64([BitConverter]::GetBytes([uint64]$n), 0)
        }
        'MultiString' {
            $items = New-Object 'System.Collections.Generic.List[string]'
            foreach ($item in @($Data)) {
                if ($null -eq $item) {
                    continue
                }
                if (-not ($item -is [string])) {
                    throw 'registry.set: data must be a list of strings for MultiString values'
                }
                $items.Add($item)
            }
            return ,$items.ToArray()
        }
        'Binary' {
            if (-not ($Data -is [string])) {
                throw 'registry.set: data must be base64 text for Binary values'
            }
            return ,[Convert]::FromBase64String($Data)
        }
        default {
            if (-not ($Data -is [string])) {
                throw "registry.set: data must be a string for $Kind values"
            }
            return $Data
        }
    }
}

if ([string]::IsNullOrEmpty([string]$a.path)) {
    throw 'registry.set: path is required'
}
$kinds = @('DWord', 'QWord', 'String', 'ExpandString', 'MultiString', 'Binary')
$kind = [string]$a.kind
if ($kinds -notcontains $kind) {
    throw 'registry.set: kind must be one of DWord, QWord, String, ExpandString, MultiString, Binary'
}
# Use the canonical spelling of the kind.
$kind = @($kinds | Where-Object { $_ -eq $kind })[0]
$name = [string]$a.name
$data = ConvertTo-RegistryData $kind $a.data
$location = Resolve-RegistryPath ([string]$a.path)
$previous = Read-RegistryValue $location $name
if ($null -ne $a.expect -and -not (Test-SameRegistryValue $a.expect $previous)) {
    throw 'stale: the registry value changed since it was read'
}
$key = $location.Base.CreateSubKey($location.SubKey)
try {
    $key.SetValue($name, $data, [Microsoft.Win32.RegistryValueKind]$kind)
} finally {
    $key.Close()
}
$current = Read-RegistryValue $location $name
ConvertTo-AsciiJson ([ordered]@{ previous = $previous; current = $current; key_created = (-not $previous.key_exists) })
