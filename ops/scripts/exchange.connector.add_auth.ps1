# rectify:op exchange.connector.add_auth v2
# rectify:uses args, json, exchange, exchange_connector
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
