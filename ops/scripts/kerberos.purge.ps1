# rectify:op kerberos.purge v1
# Purges the Kerberos tickets cached in logon sessions of the host: klist
# -li <id> purge for each id of "logon_ids", so that the next
# authentication asks the KDC for new tickets, which carry the directory's
# state as it is now. Arguments: {"logon_ids"}. Result: CommandOutput, one
# entry per session in that order; the caller judges by exit code.
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

# Invoke-NativeCommand runs an executable with each argument passed as its
# own argument (never through a command string) and returns its text
# (standard output and error, in order) and exit code.
function Invoke-NativeCommand([string]$Display, [string]$FilePath, [string[]]$Arguments) {
    if (-not (Test-Path -LiteralPath $FilePath -PathType Leaf)) {
        throw ('{0}: {1} is not installed' -f $Display, $FilePath)
    }
    # Standard error lines arrive as error records; they are output here, not
    # failures.
    $ErrorActionPreference = 'Continue'
    $lines = @(& $FilePath @Arguments 2>&1 | ForEach-Object { [string]$_ })
    $code = $LASTEXITCODE
    return [ordered]@{ command = $Display; exit_code = [int]$code; output = ($lines -join "`n") }
}

# Get-LogonIds reads the logon sessions an op names: LUIDs such as 0x3e7.
function Get-LogonIds($Value) {
    $ids = New-Object System.Collections.ArrayList
    foreach ($id in @($Value)) {
        $text = [string]$id
        if ($text -notmatch '^0x[0-9a-fA-F]{1,16}$') {
            throw ('logon session "{0}" is not a LUID such as 0x3e7' -f $text)
        }
        [void]$ids.Add($text)
    }
    return ,$ids.ToArray()
}

$klist = Join-Path $env:SystemRoot 'System32\klist.exe'
$runs = New-Object System.Collections.ArrayList
foreach ($id in (Get-LogonIds $a.logon_ids)) {
    [void]$runs.Add((Invoke-NativeCommand ('klist -li {0} purge' -f $id) $klist @('-li', $id, 'purge')))
}
ConvertTo-AsciiJson ([ordered]@{ commands = $runs.ToArray() })
