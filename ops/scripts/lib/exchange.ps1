# Warnings and progress records of Exchange's cmdlets are no part of an
# op's answer.
$WarningPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'

# Open-ExchangeSession opens a session to Exchange's own management
# endpoint, http://<fqdn>/PowerShell/ with the configuration
# Microsoft.Exchange and Kerberos, as Exchange's documentation connects to
# it. Exchange's cmdlets then run in Exchange's own process on the server,
# which reaches Active Directory as the Exchange server: no snap-in, and no
# second hop from this session. With a credential (an account and password
# the caller passed as a sensitive argument) the session logs on with it;
# without one it uses this session's own logon, which reaches the endpoint
# only when it holds delegated credentials.
function Open-ExchangeSession($Endpoint, $Credential) {
    $uri = [string]$Endpoint.connection_uri
    if ($uri -notmatch '^http://[A-Za-z0-9][A-Za-z0-9.-]*/PowerShell/$') {
        throw ('exchange endpoint: "{0}" is not http://<fqdn>/PowerShell/' -f $uri)
    }
    $options = @{
        ConfigurationName = 'Microsoft.Exchange'
        ConnectionUri     = $uri
        Authentication    = 'Kerberos'
        ErrorAction       = 'Stop'
    }
    if ($null -ne $Credential -and [string]$Credential.user -ne '') {
        $secret = ConvertTo-SecureString -String ([string]$Credential.password) -AsPlainText -Force
        $options.Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList ([string]$Credential.user), $secret
    }
    return New-PSSession @options
}
