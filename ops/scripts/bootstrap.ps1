# rectify:op bootstrap v1
# Reads standard input: the first line is the base64 of the op's JSON
# arguments, the rest is the op's script. Runs the script with that one
# argument. Nothing is ever spliced into this text.
$ErrorActionPreference = 'Stop'
$stdin = [Console]::In.ReadToEnd()
$newline = $stdin.IndexOf("`n")
if ($newline -lt 0) {
    throw 'rectify bootstrap: standard input holds no script'
}
$argsBase64 = $stdin.Substring(0, $newline).Trim()
$scriptText = $stdin.Substring($newline + 1)
$block = [ScriptBlock]::Create($scriptText)
& $block $argsBase64
