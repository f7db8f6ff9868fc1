package directory

import "fmt"

// The diagnostic texts below are the ones an Active Directory DC (Windows
// Server 2012 R2 and later) sends; clients and operators recognise a
// failure by the leading Win32 error number.

// attributeIDs holds the internal attribute ids AD prints (in hex) in its
// AtrErr texts, for the attributes rectify writes.
var attributeIDs = map[string]int{
	"serviceprincipalname": 0x90303,
	"samaccountname":       0x900dd,
	"dnshostname":          0x9026b,
	"useraccountcontrol":   0x90008,
	"description":          0xd,
	"objectclass":          0x0,
}

func attributeID(name string) int {
	return attributeIDs[lower(name)]
}

// errSPNNotUnique is ERROR_DS_SPN_VALUE_NOT_UNIQUE_IN_FOREST.
func errSPNNotUnique() *Error {
	return &Error{
		Code: ConstraintViolation,
		Message: "000021C7: AtrErr: DSID-03200BBA, #1:\n" +
			"\t0: 000021C7: DSID-03200BBA, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 90303 (servicePrincipalName)\n",
	}
}

// errSingleValued is ERROR_DS_SINGLE_VALUE_CONSTRAINT: a second value for a
// single-valued attribute.
func errSingleValued(attr string) *Error {
	return &Error{
		Code: ConstraintViolation,
		Message: fmt.Sprintf("00002082: AtrErr: DSID-03151E6D, #1:\n"+
			"\t0: 00002082: DSID-03151E6D, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att %x (%s)\n", attributeID(attr), attr),
	}
}

// errValueExists is ERROR_DS_ATT_VAL_ALREADY_EXISTS.
func errValueExists(attr string) *Error {
	return &Error{
		Code: AttributeOrValueExists,
		Message: fmt.Sprintf("00002083: AtrErr: DSID-03151904, #1:\n"+
			"\t0: 00002083: DSID-03151904, problem 1006 (ATT_OR_VALUE_EXISTS), data 0, Att %x (%s)\n", attributeID(attr), attr),
	}
}

// errNoSuchAttribute is ERROR_DS_CANT_REM_MISSING_ATT_VAL.
func errNoSuchAttribute(attr string) *Error {
	return &Error{
		Code: NoSuchAttribute,
		Message: fmt.Sprintf("00002080: AtrErr: DSID-03152E29, #1:\n"+
			"\t0: 00002080: DSID-03152E29, problem 1001 (NO_ATTRIBUTE_OR_VAL), data 0, Att %x (%s)\n", attributeID(attr), attr),
	}
}

// errNoSuchObject is ERROR_DS_OBJ_NOT_FOUND with the best match AD reports.
func errNoSuchObject(matched string) *Error {
	return &Error{
		Code:      NoSuchObject,
		MatchedDN: matched,
		Message: "0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT), data 0, best match of:\n" +
			"\t'" + matched + "'\n",
	}
}

// errEntryExists is ERROR_DS_OBJ_STRING_NAME_EXISTS.
func errEntryExists() *Error {
	return &Error{
		Code:    EntryAlreadyExists,
		Message: "00000524: UpdErr: DSID-031A11E2, problem 6005 (ENTRY_EXISTS), data 0\n",
	}
}

// errNotLeaf is ERROR_DS_CANT_ON_NON_LEAF.
func errNotLeaf() *Error {
	return &Error{
		Code:    NotAllowedOnNonLeaf,
		Message: "00002015: SvcErr: DSID-031A1254, problem 5003 (WILL_NOT_PERFORM), data 0\n",
	}
}

// errInvalidDN is ERROR_DS_INVALID_DN_SYNTAX.
func errInvalidDN() *Error {
	return &Error{
		Code:    InvalidDNSyntax,
		Message: "00002081: NameErr: DSID-03050F42, problem 2003 (BAD_ATT_SYNTAX), data 0, best match of:\n\t''\n",
	}
}

// errRootSubtree answers a one-level or subtree search from the empty base
// on a port that is not a Global Catalog: no naming context holds the empty
// DN (Samba answers the same code).
func errRootSubtree() *Error {
	return errNoSuchObject("")
}

// errSyntax is ERROR_DS_INVALID_ATTRIBUTE_SYNTAX for a value an integer
// attribute cannot hold.
func errSyntax(attr string) *Error {
	return &Error{
		Code:    InvalidAttributeSyntax,
		Message: fmt.Sprintf("00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563 (%s)", attr),
	}
}
