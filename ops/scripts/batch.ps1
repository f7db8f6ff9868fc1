# rectify:op batch v2
# rectify:uses args, json
# Runs several read-only ops in one command. Arguments: {"items":[{"id",
# "script","args"}]}; each script is a library op's text (marker line
# first), each args the op's argument document. Every item runs, in order,
# as a script block given its arguments as base64 JSON, exactly as the
# bootstrap runs a single op; a failing item does not stop the others.
# Result: {"results":[{"id","ok","output","error","before_us","after_us"}]},
# one per item, in order: output is the item's own JSON document, kept as
# it printed it; error is the failure's message when ok is false. The
# host's monotonic clock ([System.Diagnostics.Stopwatch]) times each item:
# before_us is how long after the batch started the item started, after_us
# how long after the item ended the batch read that clock for the last
# time, just before printing its answer (whole microseconds, rounded
# down). A reading taken inside an item therefore happened at least
# before_us after the command was sent and at least after_us before its
# answer was received, however slow the other items are.
# Invoke-BatchItem runs one item and returns its JSON text; it throws on failure.
function Invoke-BatchItem($Item) {
    $text = [string]$Item.script
    if ($text -notmatch '^# rectify:op [a-z][a-z0-9_.]* v[1-9][0-9]*\r?\n') {
        throw 'the item''s script has no "# rectify:op <name> v<N>" marker line'
    }
    if ($text -match '^# rectify:op batch v') {
        throw 'a batch cannot contain a batch'
    }
    # The arguments travel as they would to the bootstrap: base64 of UTF-8 JSON.
    $argsJson = ConvertTo-Json -Compress -Depth 100 -InputObject $Item.args
    $itemArgs = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($argsJson))
    $block = [ScriptBlock]::Create($text)
    $printed = @(& $block $itemArgs | ForEach-Object { [string]$_ })
    $output = ($printed -join "`n").Trim()
    if ($output -eq '') {
        throw 'the item printed no JSON document'
    }
    # Prove the item printed one JSON document before placing it in ours.
    $null = ConvertFrom-Json -InputObject $output
    return $output
}

# ConvertTo-Microseconds converts Stopwatch ticks of a TimeSpan (100 ns each) to
# whole microseconds, rounded down.
function ConvertTo-Microseconds([long]$Ticks) {
    return [long][Math]::Floor($Ticks / 10)
}

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$items = @()
if ($null -ne $a.items) {
    $items = @($a.items)
}
# Each item's output is already a JSON document; it is placed into the
# result as it is rather than parsed and serialized again, which would lose
# depth and, on PowerShell 7, turn time strings into dates. The parts are
# joined once every item has run, when the time after each is known.
$done = New-Object System.Collections.ArrayList
foreach ($item in $items) {
    $id = ConvertTo-AsciiJson ([string]$item.id)
    $started = $clock.Elapsed.Ticks
    try {
        $output = Invoke-BatchItem $item
        $part = '"ok":true,"output":' + $output
    } catch {
        $message = ConvertTo-AsciiJson ([string]$_.Exception.Message)
        $part = '"ok":false,"error":' + $message
    }
    $ended = $clock.Elapsed.Ticks
    [void]$done.Add(@($id, $part, $started, $ended))
}
$last = $clock.Elapsed.Ticks
$parts = New-Object System.Collections.ArrayList
foreach ($d in $done) {
    $before = ConvertTo-Microseconds $d[2]
    $after = ConvertTo-Microseconds ($last - $d[3])
    [void]$parts.Add('{"id":' + $d[0] + ',' + $d[1] + ',"before_us":' + $before + ',"after_us":' + $after + '}')
}
$document = '{"results":[' + ($parts.ToArray() -join ',') + ']}'
# Check the whole document once more and print it.
$null = ConvertFrom-Json -InputObject $document
Protect-Ascii $document
