# rectify:op host.addresses v1
# Lists the host's own unicast IP addresses on interfaces that are up,
# without loopback, IPv6 link-local and IPv4 link-local (169.254/16) ones:
# the addresses other servers see its connections come from. Arguments: {}
# (none). Result: {"addresses":[...]}.
param([Parameter(Mandatory=$true)][string]$ArgsBase64)
$ErrorActionPreference = 'Stop'
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
