# rectify:op repl.show v2
# rectify:uses args, json, native
# Reads the inbound replication links of this DC, and of no other:
# repadmin /showrepl <this computer> /csv binds to the local directory
# service only, so it needs no credentials beyond the session (a "*" would
# bind to every DC of the forest as the session's user: the second hop).
# Arguments: {} (none). Result: CommandOutput with one entry; the caller
# parses the CSV (see ParseShowReplCSV).
$repadmin = Join-Path $env:SystemRoot 'System32\repadmin.exe'
$self = [string]$env:COMPUTERNAME
$run = Invoke-NativeCommand ('repadmin /showrepl {0} /csv' -f $self) $repadmin @('/showrepl', $self, '/csv')
ConvertTo-AsciiJson ([ordered]@{ commands = @($run) })
