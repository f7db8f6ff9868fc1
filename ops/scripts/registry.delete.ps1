# rectify:op registry.delete v1
# rectify:uses args, json, registry, registry_compare
# Deletes one registry value (never the key). Arguments: {"path","name",
# "expect"}; when expect is given and the current value differs from it
# (whether it exists, and if so its kind and data), the script throws
# "stale: ..." before changing anything. Deleting a value
# that is absent changes nothing.
# Result: {"previous","current","key_created"} (key_created is always false).
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
