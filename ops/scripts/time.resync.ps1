# rectify:op time.resync v2
# rectify:uses args, json, registry, native
# Makes the host follow the domain time hierarchy and resynchronises, and
# first records what it overwrites:
#   W32Time's Type and NtpServer under
#   HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters,
#   w32tm /query /source, w32tm /query /configuration (their text);
# then runs
#   w32tm /config /syncfromflags:domhier /update
#   Restart-Service w32time
#   w32tm /resync /rediscover
# Arguments: {} (none). Result: {"previous":{"type","ntp_server"},
# "previous_source","previous_configuration","commands"}: the values as
# registry.get reports them, each command as {"command","exit_code",
# "output"}, one entry of commands per step in that order. w32tm's text is
# localized and its exit codes are unreliable, so the caller reads its
# HRESULTs. A failing step does not stop the later ones.
$w32tm = Join-Path $env:SystemRoot 'System32\w32tm.exe'
$w32time = Resolve-RegistryPath 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
$previous = [ordered]@{ type = (Read-RegistryValue $w32time 'Type'); ntp_server = (Read-RegistryValue $w32time 'NtpServer') }
$source = Invoke-NativeCommand 'w32tm /query /source' $w32tm @('/query', '/source')
$configuration = Invoke-NativeCommand 'w32tm /query /configuration' $w32tm @('/query', '/configuration')

$commands = New-Object System.Collections.ArrayList
[void]$commands.Add((Invoke-NativeCommand 'w32tm /config /syncfromflags:domhier /update' $w32tm @('/config', '/syncfromflags:domhier', '/update')))
$restart = [ordered]@{ command = 'Restart-Service w32time'; exit_code = 0; output = '' }
try {
    Restart-Service -Name w32time -Force -WarningAction SilentlyContinue
    $restart.output = [string](Get-Service -Name w32time).Status
} catch {
    $restart.exit_code = 1
    $restart.output = $_.Exception.Message
}
[void]$commands.Add($restart)
[void]$commands.Add((Invoke-NativeCommand 'w32tm /resync /rediscover' $w32tm @('/resync', '/rediscover')))
ConvertTo-AsciiJson ([ordered]@{ previous = $previous; previous_source = $source; previous_configuration = $configuration; commands = $commands.ToArray() })
