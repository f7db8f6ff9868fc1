# rectify:op exchange.queue.retry v2
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

# Open-ExchangeSession opens a session to Exchange's own management
# endpoint, http://<fqdn>/PowerShell/ with the configuration
# Microsoft.Exchange and Kerberos, as Exchange's documentation connects to
# it. Exchange's cmdlets then run in Exchange's own process on the server,
# which reaches Active Directory as the Exchange server: no snap-in, and no
# second hop from this session. With a credential (an account and password
# the caller passed as a sensitive argument) the session logs on with it;
# without one it uses this session's own logon, which reaches the endpoint
# only when it holds delegated credentials.
function Open-ExchangeSession($Endpoint, $Credential) {
    $uri = [string]$Endpoint.connection_uri
    if ($uri -notmatch '^http://[A-Za-z0-9][A-Za-z0-9.-]*/PowerShell/$') {
        throw ('exchange endpoint: "{0}" is not http://<fqdn>/PowerShell/' -f $uri)
    }
    $options = @{
        ConfigurationName = 'Microsoft.Exchange'
        ConnectionUri     = $uri
        Authentication    = 'Kerberos'
        ErrorAction       = 'Stop'
    }
    if ($null -ne $Credential -and [string]$Credential.user -ne '') {
        $secret = ConvertTo-SecureString -String ([string]$Credential.password) -AsPlainText -Force
        $options.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ([string]$Credential.user), $secret
    }
    return New-PSSession @options
}

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
