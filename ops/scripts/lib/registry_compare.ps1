# Format-RegistryData renders data as one text per kind, so that an
# expected value and a value read compare as the registry holds them.
function Format-RegistryData([string]$Kind, $Data) {
    if ($null -eq $Data) {
        return '<none>'
    }
    try {
        switch ($Kind) {
            'DWord' { return ([decimal]$Data).ToString([Globalization.CultureInfo]::InvariantCulture) }
            'QWord' { return ([decimal]$Data).ToString([Globalization.CultureInfo]::InvariantCulture) }
            'MultiString' {
                $items = @(@($Data) | ForEach-Object { [string]$_ })
                return ([string]$items.Count) + ':' + ($items -join [string][char]0)
            }
            default { return [string]$Data }
        }
    } catch {
        return '<invalid>'
    }
}

# Test-SameRegistryValue reports whether the value read now is the one a
# caller expects (whether it exists, and if so its kind and data), so that
# a change never lands on a value that moved since it was read.
function Test-SameRegistryValue($Expect, $Current) {
    if ([bool]$Expect.exists -ne [bool]$Current.exists) {
        return $false
    }
    if (-not $Current.exists) {
        return $true
    }
    if ([string]$Expect.kind -ne [string]$Current.kind) {
        return $false
    }
    return (Format-RegistryData $Current.kind $Expect.data) -ceq (Format-RegistryData $Current.kind $Current.data)
}
