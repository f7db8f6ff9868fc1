# rectify:op exchange.queue.retry v1
# Retries queues (Retry-Queue -Identity, one at a time) and reads the
# server's queues again. Arguments: {"server","identities"}. Result: as
# exchange.queue.get. Every queue is tried; when any retry failed, the
# script throws after trying them all, naming the queues that failed.
param([Parameter(Mandatory=$true)][string]$ArgsBase64)
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'
# Windows PowerShell 5.1 serializes wrapped arrays as {"value":[...],"Count":n}
# because of System.Array's extended type data; drop it for this process.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue
$a = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ArgsBase64)) | ConvertFrom-Json

# Protect-Ascii escapes everything outside ASCII in JSON text (where such
# characters can only stand inside strings) so the console code page cannot
# mangle it.
function Protect-Ascii([string]$Json) {
    return [regex]::Replace($Json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function ConvertTo-AsciiJson($Value) {
    return Protect-Ascii (ConvertTo-Json -Compress -Depth 6 -InputObject $Value)
}

# Import-ExchangeSnapIn loads the Exchange cmdlets: the 2013-2019 snap-in,
# or the 2010 one.
function Import-ExchangeSnapIn {
    if ($null -ne (Get-Command -Name Get-ExchangeServer -ErrorAction SilentlyContinue)) {
        return
    }
    try {
        Add-PSSnapin -Name Microsoft.Exchange.Management.PowerShell.SnapIn -ErrorAction Stop
    } catch {
        Add-PSSnapin -Name Microsoft.Exchange.Management.PowerShell.E2010 -ErrorAction Stop
    }
}

function ConvertTo-QueueRecord($Queue) {
    return [ordered]@{
        identity        = [string]$Queue.Identity
        delivery_type   = [string]$Queue.DeliveryType
        status          = [string]$Queue.Status
        message_count   = [int]$Queue.MessageCount
        next_hop_domain = [string]$Queue.NextHopDomain
        last_error      = [string]$Queue.LastError
    }
}

function Get-QueueRecords([string]$Server) {
    $query = @{ ErrorAction = 'Stop' }
    if ($Server -ne '') {
        $query.Server = $Server
    }
    $queues = New-Object System.Collections.ArrayList
    foreach ($queue in @(Get-Queue @query)) {
        [void]$queues.Add((ConvertTo-QueueRecord $queue))
    }
    return ,$queues.ToArray()
}

Import-ExchangeSnapIn
$failed = New-Object System.Collections.ArrayList
$identities = @()
if ($null -ne $a.identities) {
    $identities = @($a.identities)
}
foreach ($identity in $identities) {
    try {
        Retry-Queue -Identity ([string]$identity) -Confirm:$false -ErrorAction Stop
    } catch {
        [void]$failed.Add(('{0}: {1}' -f $identity, $_.Exception.Message))
    }
}
if ($failed.Count -gt 0) {
    throw ('exchange.queue.retry: Retry-Queue failed for ' + ($failed.ToArray() -join '; '))
}
$queues = Get-QueueRecords ([string]$a.server)
ConvertTo-AsciiJson ([ordered]@{ queues = $queues })
