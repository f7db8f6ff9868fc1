# rectify:op repl.syncall v1
# rectify:uses args, json, native
# Forces replication from a domain controller: repadmin /syncall <dc> /<options>
# (options "AdeP" by default: all partitions, DNs in messages, across
# sites, push). The DC name is passed to repadmin as its own argument.
# Arguments: {"dc","options"}. Result: CommandOutput with one entry; the
# caller parses repadmin's text (see ParseSyncAll).
$dc = [string]$a.dc
if ($dc -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]*$') {
    throw 'repl.syncall: dc must be a host name'
}
$options = [string]$a.options
if ($options -eq '') {
    $options = 'AdeP'
}
if ($options -notmatch '^[A-Za-z]+$') {
    throw 'repl.syncall: options must be repadmin /syncall option letters such as AdeP'
}
$repadmin = Join-Path $env:SystemRoot 'System32\repadmin.exe'
$run = Invoke-NativeCommand ('repadmin /syncall {0} /{1}' -f $dc, $options) $repadmin @('/syncall', $dc, ('/' + $options))
ConvertTo-AsciiJson ([ordered]@{ commands = @($run) })
