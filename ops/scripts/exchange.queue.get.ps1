# rectify:op exchange.queue.get v2
# Reads a server's transport queues (Get-Queue -Server) through Exchange's
# own management endpoint (see Open-ExchangeSession). Arguments:
# {"endpoint":{"connection_uri"},"credential":{"user","password"},"server"};
# the credential is sensitive. Result: {"queues":[{"identity",
# "delivery_type","status","message_count","next_hop_domain","last_error",
# "last_retry_time","next_retry_time"}]}, times in RFC 3339 UTC.
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

$session = Open-ExchangeSession $a.endpoint $a.credential
try {
    $null = Import-PSSession -Session $session -CommandName 'Get-Queue' -DisableNameChecking -AllowClobber -ErrorAction Stop
    $result = [ordered]@{ queues = (Get-QueueRecords ([string]$a.server)) }
} finally {
    Remove-PSSession -Session $session -ErrorAction SilentlyContinue
}
ConvertTo-AsciiJson $result
