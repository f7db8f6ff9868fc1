# rectify:op time.resync v1
# Makes the host follow the domain time hierarchy and resynchronises:
#   w32tm /config /syncfromflags:domhier /update
#   Restart-Service w32time
#   w32tm /resync /rediscover
# Arguments: {} (none). Result: CommandOutput {"commands":[{"command",
# "exit_code","output"}]}, one entry per step in that order; w32tm's text is
# localized and its exit codes are unreliable, so the caller parses the text.
# A failing step does not stop the later ones.
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

$w32tm = Join-Path $env:SystemRoot 'System32\w32tm.exe'
$commands = New-Object System.Collections.ArrayList
[void]$commands.Add((Invoke-NativeCommand 'w32tm /config /syncfromflags:domhier /update' $w32tm @('/config', '/syncfromflags:domhier', '/update')))
$restart = [ordered]@{ command = 'Restart-Service w32time'; exit_code = 0; output = '' }
try {
    Restart-Service -Name w32time -Force -WarningAction SilentlyContinue
    $restart.output = [string](Get-Service -Name w32time).Status
} catch {
    $restart.exit_code = 1
    $restart.output = $_.Exception.Message
}
[void]$commands.Add($restart)
[void]$commands.Add((Invoke-NativeCommand 'w32tm /resync /rediscover' $w32tm @('/resync', '/rediscover')))
ConvertTo-AsciiJson ([ordered]@{ commands = $commands.ToArray() })
