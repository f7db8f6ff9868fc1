# rectify:op repl.replicate v1
# rectify:uses args, json, native
# Pulls naming contexts into this DC from named sources, each as
# repadmin /replicate <this computer> <source> <naming context>. The DC then
# replicates from the source with its own machine account: nothing needs
# credentials beyond the session. Each source and naming context is passed
# to repadmin as its own argument.
# Arguments: {"pulls":[{"source","naming_context"}]}. Result: CommandOutput
# with one entry per pull, in order; the caller decides from each exit code
# and the Win32 status codes (see ParseReplicate).
$pulls = @($a.pulls)
if ($pulls.Count -eq 0) {
    throw 'repl.replicate: no pulls'
}
# Check every pull before running any, so that a bad one changes nothing.
foreach ($p in $pulls) {
    if ([string]$p.source -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]*$') {
        throw 'repl.replicate: source must be a host name'
    }
    if ([string]$p.naming_context -notmatch '^[A-Za-z]+=[A-Za-z0-9_-]+(,[A-Za-z]+=[A-Za-z0-9_-]+)*$') {
        throw 'repl.replicate: naming_context must be a distinguished name such as DC=corp,DC=example,DC=com'
    }
}
$repadmin = Join-Path $env:SystemRoot 'System32\repadmin.exe'
$self = [string]$env:COMPUTERNAME
$runs = @()
foreach ($p in $pulls) {
    $source = [string]$p.source
    $nc = [string]$p.naming_context
    $runs += Invoke-NativeCommand ('repadmin /replicate {0} {1} {2}' -f $self, $source, $nc) $repadmin @('/replicate', $self, $source, $nc)
}
ConvertTo-AsciiJson ([ordered]@{ commands = @($runs) })
