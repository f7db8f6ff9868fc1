# rectify:op events.query v1
# rectify:uses args, json
# Reads event log records with Get-WinEvent -FilterHashtable.
# Arguments: {"log","provider","ids","since","max"}; since is RFC 3339, max
# 0 means no limit. Zero matching events is an empty list, not an error.
# Result: {"events":[{"time","id","provider","level","message","data"}]},
# newest first; time is UTC ISO 8601, level is the English name of the
# level number (Critical, Error, Warning, Information, Verbose), data holds
# the EventData fields by name (unnamed fields as param1, param2, ... in
# order, as the message's %1, %2 insertions number them).
# ConvertTo-UtcTime reads an RFC 3339 time. PowerShell 7's ConvertFrom-Json
# may already have turned it into a DateTime.
function ConvertTo-UtcTime($Value) {
    if ($Value -is [DateTime]) {
        if ($Value.Kind -eq [DateTimeKind]::Unspecified) {
            return [DateTime]::SpecifyKind($Value, [DateTimeKind]::Utc)
        }
        return $Value.ToUniversalTime()
    }
    $styles = [Globalization.DateTimeStyles]::AdjustToUniversal -bor [Globalization.DateTimeStyles]::AssumeUniversal
    return [DateTimeOffset]::Parse([string]$Value, [Globalization.CultureInfo]::InvariantCulture, $styles).UtcDateTime
}

$levels = @{ 0 = 'Information'; 1 = 'Critical'; 2 = 'Error'; 3 = 'Warning'; 4 = 'Information'; 5 = 'Verbose' }

$log = [string]$a.log
if ($log -eq '') {
    throw 'events.query: log is required'
}
$filter = @{ LogName = $log }
if ([string]$a.provider -ne '') {
    $filter.ProviderName = [string]$a.provider
}
if ($null -ne $a.ids -and @($a.ids).Count -gt 0) {
    $filter.Id = [int[]]@($a.ids)
}
if ($null -ne $a.since -and [string]$a.since -ne '') {
    $filter.StartTime = ConvertTo-UtcTime $a.since
}
$query = @{ FilterHashtable = $filter; ErrorAction = 'Stop' }
if ([int]$a.max -gt 0) {
    $query.MaxEvents = [int64]$a.max
}

$records = @()
try {
    $records = @(Get-WinEvent @query)
} catch {
    # Get-WinEvent reports "nothing matched" as an error; its error id, not
    # its localized message, tells it apart.
    if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') {
        throw
    }
}

$events = New-Object System.Collections.ArrayList
foreach ($record in $records) {
    $data = [ordered]@{}
    $xml = [xml]$record.ToXml()
    $position = 0
    if ($null -ne $xml.Event.EventData) {
        foreach ($field in @($xml.Event.EventData.ChildNodes)) {
            if ($field.LocalName -ne 'Data') {
                continue
            }
            $position++
            $name = [string]$field.GetAttribute('Name')
            if ($name -eq '') {
                $name = 'param' + $position
            }
            $data[$name] = [string]$field.InnerText
        }
    }
    $level = $levels[[int]$record.Level]
    if ($null -eq $level) {
        $level = 'Level' + [int]$record.Level
    }
    $message = ''
    try {
        $message = [string]$record.Message
    } catch {
        $message = ''
    }
    [void]$events.Add([ordered]@{
        time     = $record.TimeCreated.ToUniversalTime().ToString('o')
        id       = [int]$record.Id
        provider = [string]$record.ProviderName
        level    = $level
        message  = $message
        data     = $data
    })
}
ConvertTo-AsciiJson ([ordered]@{ events = $events.ToArray() })
