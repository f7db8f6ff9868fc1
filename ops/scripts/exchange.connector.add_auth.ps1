# rectify:op exchange.connector.add_auth v2
# Adds authentication mechanisms and permission groups to one receive
# connector, or takes them out again (undo), through Exchange's own
# management endpoint (see Open-ExchangeSession). Set-ReceiveConnector
# replaces whole sets, so the script reads the connector, refuses with
# "stale: ..." when its sets differ from expect, computes
#   (current + add) - remove
# for AuthMechanism and PermissionGroups (dropping "None" when anything
# else remains, "None" when nothing does), and sets both whole sets. A
# connector whose sets would not change is not written.
# Arguments: {"endpoint":{"connection_uri"},"credential":{"user",
# "password"},"identity","add_auth_mechanism","add_permission_groups",
# "expect","remove_auth_mechanism","remove_permission_groups"}; the
# credential is sensitive. Result: {"before","after"}, each as
# exchange.connector.get reports a connector.
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

# Split-FlagList turns a flags value ("Tls, Integrated, ExchangeServer") or
# a list into a list of names.
function Split-FlagList($Value) {
    $names = New-Object System.Collections.ArrayList
    foreach ($item in @($Value)) {
        if ($null -eq $item) {
            continue
        }
        foreach ($name in ([string]$item -split ',')) {
            $name = $name.Trim()
            if ($name -ne '') {
                [void]$names.Add($name)
            }
        }
    }
    return ,$names.ToArray()
}

# ConvertTo-StringList turns a multi-valued property (deserialized from the
# endpoint) into a list of its values' text.
function ConvertTo-StringList($Value) {
    $list = New-Object System.Collections.ArrayList
    foreach ($item in @($Value)) {
        if ($null -ne $item) {
            [void]$list.Add([string]$item)
        }
    }
    return ,$list.ToArray()
}

function ConvertTo-ConnectorRecord($Connector) {
    return [ordered]@{
        identity          = [string]$Connector.Identity
        name              = [string]$Connector.Name
        server            = [string]$Connector.Server
        transport_role    = [string]$Connector.TransportRole
        bindings          = (ConvertTo-StringList $Connector.Bindings)
        remote_ip_ranges  = (ConvertTo-StringList $Connector.RemoteIPRanges)
        auth_mechanism    = (Split-FlagList $Connector.AuthMechanism)
        permission_groups = (Split-FlagList $Connector.PermissionGroups)
        enabled           = [bool]$Connector.Enabled
        require_tls       = [bool]$Connector.RequireTLS
    }
}

# Test-SameSet compares two lists of names as sets, ignoring case.
function Test-SameSet($Left, $Right) {
    $l = @(@($Left) | Where-Object { $null -ne $_ } | ForEach-Object { ([string]$_).ToLowerInvariant() } | Sort-Object -Unique)
    $r = @(@($Right) | Where-Object { $null -ne $_ } | ForEach-Object { ([string]$_).ToLowerInvariant() } | Sort-Object -Unique)
    if ($l.Count -ne $r.Count) {
        return $false
    }
    for ($i = 0; $i -lt $l.Count; $i++) {
        if ($l[$i] -cne $r[$i]) {
            return $false
        }
    }
    return $true
}

# Get-NewSet returns (current + add) - remove, keeping the current order,
# ignoring case, and treating "None" as the empty set.
function Get-NewSet($Current, $Add, $Remove) {
    $set = New-Object System.Collections.ArrayList
    $removed = @(Split-FlagList $Remove)
    foreach ($name in @(Split-FlagList $Current) + @(Split-FlagList $Add)) {
        if ($name -notmatch '^[A-Za-z]+$') {
            throw ('connector setting names are single words; got {0}' -f $name)
        }
        if ($name -eq 'None' -or $removed -contains $name -or $set -contains $name) {
            continue
        }
        [void]$set.Add($name)
    }
    if ($set.Count -eq 0) {
        [void]$set.Add('None')
    }
    return ,$set.ToArray()
}

$identity = [string]$a.identity
if ($identity -eq '') {
    throw 'exchange.connector.add_auth: identity is required'
}
$session = Open-ExchangeSession $a.endpoint $a.credential
try {
    $null = Import-PSSession -Session $session -CommandName 'Get-ReceiveConnector', 'Set-ReceiveConnector' -DisableNameChecking -AllowClobber -ErrorAction Stop
    $before = ConvertTo-ConnectorRecord (Get-ReceiveConnector -Identity $identity -ErrorAction Stop)
    if ($null -ne $a.expect) {
        if (-not (Test-SameSet $a.expect.auth_mechanism $before.auth_mechanism) -or
            -not (Test-SameSet $a.expect.permission_groups $before.permission_groups)) {
            throw 'stale: the receive connector changed since it was read'
        }
    }
    $auth = Get-NewSet $before.auth_mechanism $a.add_auth_mechanism $a.remove_auth_mechanism
    $groups = Get-NewSet $before.permission_groups $a.add_permission_groups $a.remove_permission_groups
    if (-not (Test-SameSet $auth $before.auth_mechanism) -or -not (Test-SameSet $groups $before.permission_groups)) {
        Set-ReceiveConnector -Identity $identity -AuthMechanism $auth -PermissionGroups $groups -Confirm:$false -ErrorAction Stop
    }
    $after = ConvertTo-ConnectorRecord (Get-ReceiveConnector -Identity $identity -ErrorAction Stop)
    $result = [ordered]@{ before = $before; after = $after }
} finally {
    Remove-PSSession -Session $session -ErrorAction SilentlyContinue
}
ConvertTo-AsciiJson $result
