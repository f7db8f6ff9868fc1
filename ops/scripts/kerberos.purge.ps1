# rectify:op kerberos.purge v1
# rectify:uses args, json, native, logon
# Purges the Kerberos tickets cached in logon sessions of the host: klist
# -li <id> purge for each id of "logon_ids", so that the next
# authentication asks the KDC for new tickets, which carry the directory's
# state as it is now. Arguments: {"logon_ids"}. Result: CommandOutput, one
# entry per session in that order; the caller judges by exit code.
$klist = Join-Path $env:SystemRoot 'System32\klist.exe'
$runs = New-Object System.Collections.ArrayList
foreach ($id in (Get-LogonIds $a.logon_ids)) {
    [void]$runs.Add((Invoke-NativeCommand ('klist -li {0} purge' -f $id) $klist @('-li', $id, 'purge')))
}
ConvertTo-AsciiJson ([ordered]@{ commands = $runs.ToArray() })
