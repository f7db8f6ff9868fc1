# rectify:op exchange.connector.get v2
# rectify:uses args, json, exchange, exchange_connector
# Reads a server's receive connectors (Get-ReceiveConnector -Server) through
# Exchange's own management endpoint (see Open-ExchangeSession). Arguments:
# {"endpoint":{"connection_uri"},"credential":{"user","password"},"server"};
# the credential is sensitive. Result: {"connectors":[{"identity","name",
# "server","transport_role","bindings","remote_ip_ranges","auth_mechanism",
# "permission_groups","enabled","require_tls"}]}, the multi-valued
# properties as lists of names. PermissionGroups is not an attribute of the
# connector's directory object (Exchange computes it from the object's
# permissions), so it is read here.
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
