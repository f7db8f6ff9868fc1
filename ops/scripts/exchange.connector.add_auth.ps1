# rectify:op exchange.connector.add_auth v1
# Adds authentication mechanisms and permission groups to one receive
# connector, or takes them out again (undo). Set-ReceiveConnector replaces
# whole sets, so the script reads the connector, refuses with "stale: ..."
# when its sets differ from expect, computes
#   (current + add) - remove
# for AuthMechanism and PermissionGroups (dropping "None" when anything
# else remains, "None" when nothing does), and sets both whole sets. A
# connector whose sets would not change is not written.
# Arguments: {"identity","add_auth_mechanism","add_permission_groups",
# "expect","remove_auth_mechanism","remove_permission_groups"}.
# Result: {"before","after"}, each as exchange.connector.get reports a
# connector.
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
Import-ExchangeSnapIn
$connector = Get-ReceiveConnector -Identity $identity -ErrorAction Stop
$before = ConvertTo-ConnectorRecord $connector
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
ConvertTo-AsciiJson ([ordered]@{ before = $before; after = $after })
