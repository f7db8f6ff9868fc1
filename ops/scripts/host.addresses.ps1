# rectify:op host.addresses v1
# rectify:uses args, json
# Lists the host's own unicast IP addresses on interfaces that are up,
# without loopback, IPv6 link-local and IPv4 link-local (169.254/16) ones:
# the addresses other servers see its connections come from. Arguments: {}
# (none). Result: {"addresses":[...]}.
$addresses = New-Object System.Collections.ArrayList
foreach ($nic in [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()) {
    if ([string]$nic.OperationalStatus -ne 'Up') {
        continue
    }
    foreach ($unicast in $nic.GetIPProperties().UnicastAddresses) {
        $ip = $unicast.Address
        if ([System.Net.IPAddress]::IsLoopback($ip) -or $ip.IsIPv6LinkLocal -or $ip.ToString().StartsWith('169.254.')) {
            continue
        }
        if ($addresses -notcontains $ip.ToString()) {
            [void]$addresses.Add($ip.ToString())
        }
    }
}
ConvertTo-AsciiJson ([ordered]@{ addresses = $addresses.ToArray() })
