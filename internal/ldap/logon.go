package ldap

import (
	"strconv"
	"strings"
)

// LogonFailure is why Active Directory refused a bind with result 49
// (invalidCredentials): the Win32 error code, in hexadecimal, that AD
// writes as "data <code>" in the bind result's diagnostic message:
//
//	80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563
//
// The codes are Win32 errors, [MS-ERREF] section 2.2 "Win32 Error Codes"
// (0x52E is ERROR_LOGON_FAILURE, 1326; 0x775 ERROR_ACCOUNT_LOCKED_OUT,
// 1909). The diagnostic's layout and which codes a bind reports are
// documented by directory vendors rather than in Microsoft's protocol
// documents (ManageEngine's "LDAP: error code 49 80090308" article, the
// FortiGate LDAP troubleshooting note); the lab's ldapd answers in that
// layout. 0 means the diagnostic carried no such code (another server,
// another result).
type LogonFailure uint32

// The logon failures a bind reports.
const (
	// LogonNoSuchUser: no account has this name (ERROR_NO_SUCH_USER).
	LogonNoSuchUser LogonFailure = 0x525
	// LogonBadCredentials: the user name or password is wrong
	// (ERROR_LOGON_FAILURE).
	LogonBadCredentials LogonFailure = 0x52e
	// LogonInvalidHours: not permitted to log on at this time.
	LogonInvalidHours LogonFailure = 0x530
	// LogonInvalidWorkstation: not permitted to log on from this machine.
	LogonInvalidWorkstation LogonFailure = 0x531
	// LogonPasswordExpired: the password has expired.
	LogonPasswordExpired LogonFailure = 0x532
	// LogonAccountDisabled: the account is disabled.
	LogonAccountDisabled LogonFailure = 0x533
	// LogonAccountExpired: the account has expired.
	LogonAccountExpired LogonFailure = 0x701
	// LogonPasswordMustChange: the password must be changed before the
	// first logon.
	LogonPasswordMustChange LogonFailure = 0x773
	// LogonAccountLockedOut: the account is locked out
	// (ERROR_ACCOUNT_LOCKED_OUT).
	LogonAccountLockedOut LogonFailure = 0x775
)

// String says what the failure means, with AD's code.
func (f LogonFailure) String() string {
	code := "data " + strconv.FormatUint(uint64(f), 16)
	switch f {
	case LogonNoSuchUser:
		return code + ": no such account"
	case LogonBadCredentials:
		return code + ": the user name or password is wrong"
	case LogonInvalidHours:
		return code + ": the account may not log on at this time"
	case LogonInvalidWorkstation:
		return code + ": the account may not log on from this machine"
	case LogonPasswordExpired:
		return code + ": the password has expired"
	case LogonAccountDisabled:
		return code + ": the account is disabled"
	case LogonAccountExpired:
		return code + ": the account has expired"
	case LogonPasswordMustChange:
		return code + ": the password must be changed first"
	case LogonAccountLockedOut:
		return code + ": the account is locked out"
	}
	return code
}

// logonFailure reads the "data <hex>" field of an Active Directory bind
// diagnostic: the fields after the leading "XXXXXXXX: LdapErr: DSID-..."
// are separated by ", ", and the data field is the word "data", a space
// and hexadecimal digits. It returns 0 when there is none.
func logonFailure(diag string) LogonFailure {
	if _, ok := win32Code(diag); !ok {
		return 0
	}
	for field := range strings.SplitSeq(diag, ", ") {
		hex, ok := strings.CutPrefix(field, "data ")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 32)
		if err != nil {
			return 0
		}
		return LogonFailure(v)
	}
	return 0
}
