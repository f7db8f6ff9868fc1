# rectify:op net.reach v1
# rectify:uses args, json
# Probes destinations from this host. Arguments: {"targets":[{"host","port",
# "protocol"}],"timeout_ms"}; protocol is "tcp" or "udp", timeout_ms
# defaults to 2000 and applies to each target.
# Result: {"results":[{"host","port","protocol","reachable","state",
# "elapsed_ms","error"}]}, one per target, in order.
#   TCP: TcpClient.BeginConnect with the timeout. "open" when the connection
#        is accepted, "closed" when refused, "filtered" on timeout, "error"
#        otherwise (e.g. the name does not resolve).
#   UDP: a datagram is sent and an answer awaited. "open" when anything
#        answers, "closed" on an ICMP port-unreachable (seen as a connection
#        reset), "open|filtered" when nothing answers (UDP cannot tell).
#        Well-known ports get a request their service answers: DNS (53),
#        Kerberos (88, an AS-REQ for an unknown realm draws a KRB-ERROR),
#        NTP (123), CLDAP (389, a rootDSE search); others get one zero byte.
# The UDP requests, base64, by port.
$udpPayloads = @{
    53  = 'UmMBAAABAAAAAAAAAAACAAE='
    88  = 'aoGdMIGaoQMCAQWiAwIBCqMCMACkgYkwgYagBwMFAEAAAAChGjAYoAMCAQGhETAPGw1yZWN0aWZ5LXByb2JlohEbD1JFQ1RJRlkuSU5WQUxJRKMkMCKgAwIBAqEbMBkbBmtyYnRndBsPUkVDVElGWS5JTlZBTElEpREYDzIwMzcwOTEzMDI0ODA1WqcGAgRyZWRsqAswCQIBEgIBEQIBFw=='
    123 = 'GwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    389 = 'MDICAQFjLQQACgEACgEAAgEAAgEAAQEAhwtvYmplY3RDbGFzczANBAtjdXJyZW50VGltZQ=='
}

# Find-SocketException returns the SocketException inside a failure, or $null.
function Find-SocketException($Exception) {
    $e = $Exception
    while ($null -ne $e) {
        if ($e -is [System.Net.Sockets.SocketException]) {
            return $e
        }
        $e = $e.InnerException
    }
    return $null
}

function Test-TcpReach($Outcome, [string]$HostName, [int]$Port, [int]$TimeoutMS) {
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $pending = $client.BeginConnect($HostName, $Port, $null, $null)
        if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutMS, $false)) {
            $Outcome.state = 'filtered'
            $Outcome.error = ('no answer within {0} ms' -f $TimeoutMS)
            return
        }
        $client.EndConnect($pending)
        $Outcome.reachable = $true
        $Outcome.state = 'open'
    } catch {
        $socket = Find-SocketException $_.Exception
        $Outcome.state = 'error'
        if ($null -ne $socket -and $socket.SocketErrorCode -eq [System.Net.Sockets.SocketError]::ConnectionRefused) {
            $Outcome.state = 'closed'
        }
        if ($null -ne $socket) {
            $Outcome.error = $socket.Message
        } else {
            $Outcome.error = $_.Exception.Message
        }
    } finally {
        $client.Close()
    }
}

function Test-UdpReach($Outcome, [string]$HostName, [int]$Port, [int]$TimeoutMS) {
    $client = New-Object System.Net.Sockets.UdpClient
    try {
        $client.Client.ReceiveTimeout = $TimeoutMS
        $client.Connect($HostName, $Port)
        $payload = New-Object byte[] 1
        if ($udpPayloads.ContainsKey($Port)) {
            $payload = [Convert]::FromBase64String($udpPayloads[$Port])
        }
        [void]$client.Send($payload, $payload.Length)
        $from = New-Object System.Net.IPEndPoint ([System.Net.IPAddress]::Any), 0
        [void]$client.Receive([ref]$from)
        $Outcome.reachable = $true
        $Outcome.state = 'open'
    } catch {
        $socket = Find-SocketException $_.Exception
        $Outcome.state = 'error'
        if ($null -ne $socket) {
            $Outcome.error = $socket.Message
            switch ($socket.SocketErrorCode) {
                ([System.Net.Sockets.SocketError]::TimedOut) {
                    $Outcome.state = 'open|filtered'
                    $Outcome.error = ('no answer within {0} ms' -f $TimeoutMS)
                }
                ([System.Net.Sockets.SocketError]::ConnectionReset) { $Outcome.state = 'closed' }
                ([System.Net.Sockets.SocketError]::ConnectionRefused) { $Outcome.state = 'closed' }
            }
        } else {
            $Outcome.error = $_.Exception.Message
        }
    } finally {
        $client.Close()
    }
}

$timeout = [int]$a.timeout_ms
if ($timeout -le 0) {
    $timeout = 2000
}
$results = New-Object System.Collections.ArrayList
$targets = @()
if ($null -ne $a.targets) {
    $targets = @($a.targets)
}
foreach ($target in $targets) {
    $protocol = ([string]$target.protocol).ToLowerInvariant()
    $outcome = [ordered]@{
        host       = [string]$target.host
        port       = [int]$target.port
        protocol   = $protocol
        reachable  = $false
        state      = 'error'
        elapsed_ms = 0
    }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    if ($outcome.host -eq '' -or $outcome.port -lt 1 -or $outcome.port -gt 65535) {
        $outcome.error = 'a target needs a host and a port from 1 to 65535'
    } elseif ($protocol -eq 'tcp') {
        Test-TcpReach $outcome $outcome.host $outcome.port $timeout
    } elseif ($protocol -eq 'udp') {
        Test-UdpReach $outcome $outcome.host $outcome.port $timeout
    } else {
        $outcome.error = 'protocol must be tcp or udp'
    }
    $watch.Stop()
    $outcome.elapsed_ms = [int]$watch.ElapsedMilliseconds
    [void]$results.Add($outcome)
}
ConvertTo-AsciiJson ([ordered]@{ results = $results.ToArray() })
