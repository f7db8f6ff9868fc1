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
