# rectify:op time.read v2
# rectify:uses args, json
# Reads the host's clock and the Kerberos clock tolerance, and nothing
# slow: the time from the command's sending to the end of this op, and
# from there to the answer's arrival, bounds the reading's uncertainty, so
# it runs first in its host's batch, which times it (see batch). Arguments:
# {} (none). Result: {"utc",
# "skew_time_minutes","skew_time_set"}; utc is
# [DateTime]::UtcNow.ToString('o'), read last so that it is as close as
# possible to the end of the op, where the batch's timing of it ends. SkewTime is the REG_DWORD
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
