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
