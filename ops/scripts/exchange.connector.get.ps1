# rectify:op exchange.connector.get v1
# Reads a server's receive connectors (Get-ReceiveConnector -Server), after
# loading the Exchange snap-in. Arguments: {"server"}. Result:
# {"connectors":[{"identity","name","server","transport_role","bindings",
# "auth_mechanism","permission_groups","enabled","require_tls"}]}, the
# multi-valued properties as lists of names.
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

function ConvertTo-ConnectorRecord($Connector) {
    $bindings = New-Object System.Collections.ArrayList
    foreach ($binding in @($Connector.Bindings)) {
        if ($null -ne $binding) {
            [void]$bindings.Add([string]$binding)
        }
    }
    return [ordered]@{
        identity          = [string]$Connector.Identity
        name              = [string]$Connector.Name
        server            = [string]$Connector.Server
        transport_role    = [string]$Connector.TransportRole
        bindings          = $bindings.ToArray()
        auth_mechanism    = (Split-FlagList $Connector.AuthMechanism)
        permission_groups = (Split-FlagList $Connector.PermissionGroups)
        enabled           = [bool]$Connector.Enabled
        require_tls       = [bool]$Connector.RequireTLS
    }
}

Import-ExchangeSnapIn
$query = @{ ErrorAction = 'Stop' }
if ([string]$a.server -ne '') {
    $query.Server = [string]$a.server
}
$connectors = New-Object System.Collections.ArrayList
foreach ($connector in @(Get-ReceiveConnector @query)) {
    [void]$connectors.Add((ConvertTo-ConnectorRecord $connector))
}
ConvertTo-AsciiJson ([ordered]@{ connectors = $connectors.ToArray() })
