# rectify:op kerberos.tickets v1
# rectify:uses args, json, native, logon
# Lists the Kerberos tickets cached in logon sessions of the host: klist -li
# <id> tickets for each id of "logon_ids" (0x3e7 is SYSTEM, 0x3e4 NETWORK
# SERVICE). Arguments: {"logon_ids"}. Result: CommandOutput, one entry per
# session in that order; klist's text is localized, so the caller reads it
# by its structure (see ParseKlistTickets).
$klist = Join-Path $env:SystemRoot 'System32\klist.exe'
$runs = New-Object System.Collections.ArrayList
foreach ($id in (Get-LogonIds $a.logon_ids)) {
    [void]$runs.Add((Invoke-NativeCommand ('klist -li {0} tickets' -f $id) $klist @('-li', $id, 'tickets')))
}
ConvertTo-AsciiJson ([ordered]@{ commands = $runs.ToArray() })
