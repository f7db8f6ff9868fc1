# rectify:op exchange.queue.get v2
# rectify:uses args, json, exchange, exchange_queue
# Reads a server's transport queues (Get-Queue -Server) through Exchange's
# own management endpoint (see Open-ExchangeSession). Arguments:
# {"endpoint":{"connection_uri"},"credential":{"user","password"},"server"};
# the credential is sensitive. Result: {"queues":[{"identity",
# "delivery_type","status","message_count","next_hop_domain","last_error",
# "last_retry_time","next_retry_time"}]}, times in RFC 3339 UTC.
$session = Open-ExchangeSession $a.endpoint $a.credential
try {
    $null = Import-PSSession -Session $session -CommandName 'Get-Queue' -DisableNameChecking -AllowClobber -ErrorAction Stop
    $result = [ordered]@{ queues = (Get-QueueRecords ([string]$a.server)) }
} finally {
    Remove-PSSession -Session $session -ErrorAction SilentlyContinue
}
ConvertTo-AsciiJson $result
