# rectify:op exchange.connector.get v2
# Reads a server's receive connectors (Get-ReceiveConnector -Server) through
# Exchange's own management endpoint (see Open-ExchangeSession). Arguments:
# {"endpoint":{"connection_uri"},"credential":{"user","password"},"server"};
# the credential is sensitive. Result: {"connectors":[{"identity","name",
# "server","transport_role","bindings","remote_ip_ranges","auth_mechanism",
# "permission_groups","enabled","require_tls"}]}, the multi-valued
# properties as lists of names. PermissionGroups is not an attribute of the
# connector's directory object (Exchange computes it from the object's
# permissions), so it is read here.
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

$session = Open-ExchangeSession $a.endpoint $a.credential
try {
    $null = Import-PSSession -Session $session -CommandName 'Get-ReceiveConnector' -DisableNameChecking -AllowClobber -ErrorAction Stop
    $query = @{ ErrorAction = 'Stop' }
    if ([string]$a.server -ne '') {
        $query.Server = [string]$a.server
    }
    $connectors = New-Object System.Collections.ArrayList
    foreach ($connector in @(Get-ReceiveConnector @query)) {
        [void]$connectors.Add((ConvertTo-ConnectorRecord $connector))
    }
    $result = [ordered]@{ connectors = $connectors.ToArray() }
} finally {
    Remove-PSSession -Session $session -ErrorAction SilentlyContinue
}
ConvertTo-AsciiJson $result
