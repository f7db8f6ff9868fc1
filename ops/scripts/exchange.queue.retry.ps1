# rectify:op exchange.queue.retry v2
# rectify:uses args, json, exchange, exchange_queue
# Retries queues and waits for the outcome of the attempt, through
# Exchange's own management endpoint (see Open-ExchangeSession).
# Retry-Queue acts only on a queue in Retry status, so each queue of
# "identities" that is in Retry when the script runs is retried and the
# others are left alone. The script then reads the server's queues every
# "poll_seconds" until each queue of "identities" has settled, or
# "wait_seconds" have passed: a queue has settled when it is gone
# (delivered), Suspended, Ready with no messages, or in Retry with a
# LastRetryTime at or after the script's start (when no connection is made
# Exchange sets a new retry time). Arguments: {"endpoint":
# {"connection_uri"},"credential":{"user","password"},"server",
# "identities","wait_seconds","poll_seconds"}; the credential is sensitive.
# Result: {"queues":[...as exchange.queue.get],"retried":[...],"settled"}.
# Test-QueuesSettled reports whether every queue of Identities has settled
# since Start (see the script's description).
function Test-QueuesSettled($Queues, $Identities, [DateTime]$Start) {
    foreach ($identity in $Identities) {
        $queue = $null
        foreach ($q in $Queues) {
            if ($q.identity -eq $identity) {
                $queue = $q
            }
        }
        if ($null -eq $queue) {
            continue
        }
        switch ($queue.status) {
            'Suspended' { continue }
            'Ready' {
                if ($queue.message_count -gt 0) {
                    return $false
                }
            }
            'Retry' {
                if ($queue.last_retry_time -eq '' -or [DateTime]::Parse($queue.last_retry_time, [Globalization.CultureInfo]::InvariantCulture).ToUniversalTime() -lt $Start) {
                    return $false
                }
            }
            default { return $false }
        }
    }
    return $true
}

$identities = @()
if ($null -ne $a.identities) {
    $identities = @($a.identities | ForEach-Object { [string]$_ })
}
$wait = [Math]::Max(0, [int]$a.wait_seconds)
$poll = [Math]::Max(1, [int]$a.poll_seconds)
$session = Open-ExchangeSession $a.endpoint $a.credential
try {
    $null = Import-PSSession -Session $session -CommandName 'Get-Queue', 'Retry-Queue' -DisableNameChecking -AllowClobber -ErrorAction Stop
    # Whole seconds: LastRetryTime is read back to the second.
    $now = [DateTime]::UtcNow
    $start = $now.AddTicks(-($now.Ticks % [TimeSpan]::TicksPerSecond))
    $retried = New-Object System.Collections.ArrayList
    foreach ($queue in @(Get-QueueRecords ([string]$a.server))) {
        if ($identities -contains $queue.identity -and $queue.status -eq 'Retry') {
            Retry-Queue -Identity $queue.identity -Confirm:$false -ErrorAction Stop
            [void]$retried.Add($queue.identity)
        }
    }
    $deadline = $start.AddSeconds($wait)
    while ($true) {
        $queues = Get-QueueRecords ([string]$a.server)
        $settled = Test-QueuesSettled $queues $identities $start
        if ($settled -or [DateTime]::UtcNow -ge $deadline) {
            break
        }
        Start-Sleep -Seconds $poll
    }
    $result = [ordered]@{ queues = $queues; retried = $retried.ToArray(); settled = [bool]$settled }
} finally {
    Remove-PSSession -Session $session -ErrorAction SilentlyContinue
}
ConvertTo-AsciiJson $result
