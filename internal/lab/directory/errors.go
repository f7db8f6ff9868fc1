package directory

import (
	"errors"
	"fmt"
)

// ResultCode is an LDAP result code (RFC 4511, section 4.1.9).
type ResultCode int

// The LDAP result codes the directory answers with.
const (
	Success                      ResultCode = 0
	OperationsError              ResultCode = 1
	ProtocolError                ResultCode = 2
	SizeLimitExceeded            ResultCode = 4
	StrongerAuthRequired         ResultCode = 8
	UnavailableCriticalExtension ResultCode = 12
	NoSuchAttribute              ResultCode = 16
	UndefinedAttributeType       ResultCode = 17
	InappropriateMatching        ResultCode = 18
	ConstraintViolation          ResultCode = 19
	AttributeOrValueExists       ResultCode = 20
	InvalidAttributeSyntax       ResultCode = 21
	NoSuchObject                 ResultCode = 32
	InvalidDNSyntax              ResultCode = 34
	InvalidCredentials           ResultCode = 49
	InsufficientAccessRights     ResultCode = 50
	Busy                         ResultCode = 51
	Unavailable                  ResultCode = 52
	UnwillingToPerform           ResultCode = 53
	NamingViolation              ResultCode = 64
	ObjectClassViolation         ResultCode = 65
	NotAllowedOnNonLeaf          ResultCode = 66
	EntryAlreadyExists           ResultCode = 68
	Other                        ResultCode = 80
)

var resultNames = map[ResultCode]string{
	Success:                      "success",
	OperationsError:              "operationsError",
	ProtocolError:                "protocolError",
	SizeLimitExceeded:            "sizeLimitExceeded",
	StrongerAuthRequired:         "strongerAuthRequired",
	UnavailableCriticalExtension: "unavailableCriticalExtension",
	NoSuchAttribute:              "noSuchAttribute",
	UndefinedAttributeType:       "undefinedAttributeType",
	InappropriateMatching:        "inappropriateMatching",
	ConstraintViolation:          "constraintViolation",
	AttributeOrValueExists:       "attributeOrValueExists",
	InvalidAttributeSyntax:       "invalidAttributeSyntax",
	NoSuchObject:                 "noSuchObject",
	InvalidDNSyntax:              "invalidDNSyntax",
	InvalidCredentials:           "invalidCredentials",
	InsufficientAccessRights:     "insufficientAccessRights",
	Busy:                         "busy",
	Unavailable:                  "unavailable",
	UnwillingToPerform:           "unwillingToPerform",
	NamingViolation:              "namingViolation",
	ObjectClassViolation:         "objectClassViolation",
	NotAllowedOnNonLeaf:          "notAllowedOnNonLeaf",
	EntryAlreadyExists:           "entryAlreadyExists",
	Other:                        "other",
}

// String returns the RFC 4511 name of the code, such as "noSuchObject".
func (c ResultCode) String() string {
	if n, ok := resultNames[c]; ok {
		return n
	}
	return fmt.Sprintf("resultCode(%d)", int(c))
}

// Error is a refusal in LDAP terms: the result code, the matched DN and the
// diagnostic message an Active Directory DC sends with it. The LDAP server
// sends these three fields as they are.
type Error struct {
	Code ResultCode
	// MatchedDN is the deepest existing ancestor for noSuchObject.
	MatchedDN string
	// Message is the diagnostic text, in AD's format.
	Message string
}

// Error returns the code, its name and the diagnostic message.
func (e *Error) Error() string {
	return fmt.Sprintf("ldap result %d (%s): %s", int(e.Code), e.Code, e.Message)
}

// CodeOf returns the result code carried by err, Other for a foreign error
// and Success for nil.
func CodeOf(err error) ResultCode {
	if err == nil {
		return Success
	}
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return Other
}
