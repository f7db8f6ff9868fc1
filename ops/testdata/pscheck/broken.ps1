# rectify:op pscheck.broken v1
# A deliberately broken script: pscheck must report it. It lives under
# testdata, outside the embedded scripts/*.ps1 pattern.
param([Parameter(Mandatory=$true)][string]$ArgsBase64)
$ErrorActionPreference = 'Stop'
function Get-Thing {
    if ($ArgsBase64 -eq '' {
        throw 'empty'
    }
    Write-Output 1
