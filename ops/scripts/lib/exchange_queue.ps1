# ConvertTo-IsoTime renders a time as RFC 3339 UTC, or '' for none.
function ConvertTo-IsoTime($Value) {
    if ($null -eq $Value -or [string]$Value -eq '') {
        return ''
    }
    return ([DateTime]$Value).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-QueueRecord($Queue) {
    return [ordered]@{
        identity        = [string]$Queue.Identity
        delivery_type   = [string]$Queue.DeliveryType
        status          = [string]$Queue.Status
        message_count   = [int]$Queue.MessageCount
        next_hop_domain = [string]$Queue.NextHopDomain
        last_error      = [string]$Queue.LastError
        last_retry_time = (ConvertTo-IsoTime $Queue.LastRetryTime)
        next_retry_time = (ConvertTo-IsoTime $Queue.NextRetryTime)
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
