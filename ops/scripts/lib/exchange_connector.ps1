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
