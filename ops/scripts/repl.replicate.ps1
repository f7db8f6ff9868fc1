# rectify:op repl.replicate v1
# Pulls naming contexts into this DC from named sources, each as
# repadmin /replicate <this computer> <source> <naming context>. The DC then
# replicates from the source with its own machine account: nothing needs
# credentials beyond the session. Each source and naming context is passed
# to repadmin as its own argument.
# Arguments: {"pulls":[{"source","naming_context"}]}. Result: CommandOutput
# with one entry per pull, in order; the caller decides from each exit code
# and the Win32 status codes (see ParseReplicate).
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

$pulls = @($a.pulls)
if ($pulls.Count -eq 0) {
    throw 'repl.replicate: no pulls'
}
# Check every pull before running any, so that a bad one changes nothing.
foreach ($p in $pulls) {
    if ([string]$p.source -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]*$') {
        throw 'repl.replicate: source must be a host name'
    }
    if ([string]$p.naming_context -notmatch '^[A-Za-z]+=[A-Za-z0-9_-]+(,[A-Za-z]+=[A-Za-z0-9_-]+)*$') {
        throw 'repl.replicate: naming_context must be a distinguished name such as DC=corp,DC=example,DC=com'
    }
}
$repadmin = Join-Path $env:SystemRoot 'System32\repadmin.exe'
$self = [string]$env:COMPUTERNAME
$runs = @()
foreach ($p in $pulls) {
    $source = [string]$p.source
    $nc = [string]$p.naming_context
    $runs += Invoke-NativeCommand ('repadmin /replicate {0} {1} {2}' -f $self, $source, $nc) $repadmin @('/replicate', $self, $source, $nc)
}
ConvertTo-AsciiJson ([ordered]@{ commands = @($runs) })
