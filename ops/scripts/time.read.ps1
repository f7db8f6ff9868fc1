# rectify:op time.read v2
# rectify:uses args, json
# Reads the host's clock and the Kerberos clock tolerance, and nothing
# slow: the command's round trip bounds the reading's uncertainty, so it
# runs as a command of its own. Arguments: {} (none). Result: {"utc",
# "skew_time_minutes","skew_time_set"}; utc is
# [DateTime]::UtcNow.ToString('o'), read last so that it is as close as
# possible to the moment the answer leaves the host. SkewTime is the REG_DWORD
# under HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters, 5
# minutes when absent. The host's role and time configuration are
# time.config's.
$skewMinutes = 5
$skewSet = $false
$hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Default)
$kerberos = $hklm.OpenSubKey('SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters', $false)
if ($null -ne $kerberos) {
    try {
        if (@($kerberos.GetValueNames()) -contains 'SkewTime' -and [string]$kerberos.GetValueKind('SkewTime') -eq 'DWord') {
            $skewMinutes = [int]$kerberos.GetValue('SkewTime')
            $skewSet = $true
        }
    } finally {
        $kerberos.Close()
    }
}

$reading = [ordered]@{
    utc               = [DateTime]::UtcNow.ToString('o')
    skew_time_minutes = $skewMinutes
    skew_time_set     = $skewSet
}
ConvertTo-AsciiJson $reading
