# rectify:op time.restore v1
# rectify:uses args, json, registry, native
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
