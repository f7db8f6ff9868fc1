# rectify:op registry.get v1
# rectify:uses args, json, registry
# Reads one registry value. Arguments: {"path","name"}; path is a
# PowerShell registry path ("HKLM:\SYSTEM\...", "Registry::HKEY_LOCAL_MACHINE\...").
# Result: {"key_exists","exists","kind","data"}: data is a number for DWord
# and QWord (unsigned), a string, a list for MultiString, base64 for Binary.
if ([string]::IsNullOrEmpty([string]$a.path)) {
    throw 'registry.get: path is required'
}
$location = Resolve-RegistryPath ([string]$a.path)
$value = Read-RegistryValue $location ([string]$a.name)
ConvertTo-AsciiJson $value
