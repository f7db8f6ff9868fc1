package wsman

import (
	"fmt"
	"net/http"
)

// fault is a SOAP fault as the WinRM service sends it: a SOAP code and
// subcode, a reason, and a w:WSManFault detail carrying the Windows error
// code. Faults travel with HTTP status 500, as WinRM sends them.
type fault struct {
	action  string
	code    string // s:Sender or s:Receiver
	subcode string // w:TimedOut, w:InvalidSelectors, ...
	reason  string
	// wsmanCode is the WSManFault Code attribute (a Windows error, decimal).
	wsmanCode uint32
	// detail is an optional wsman:FaultDetail URI.
	detail string
	status int
}

func (f *fault) Error() string {
	return fmt.Sprintf("wsman fault %s (%d): %s", f.subcode, f.wsmanCode, f.reason)
}

const (
	faultActionWSMan      = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	faultActionAddressing = nsAddressing + "/fault"
)

// Windows error codes carried in WSManFault Code, as decimal numbers.
const (
	codeResourceNotFound   = 0x80338000 // ERROR_WSMAN_RESOURCE_NOT_FOUND
	codeHeaderRequired     = 0x80338011 // ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED
	codeActionNotSupported = 0x80338013 // ERROR_WSMAN_ACTION_NOT_SUPPORTED
	codeOperationTimedOut  = 0x80338029 // ERROR_WSMAN_OPERATION_TIMEDOUT (2150858793)
	codeEncodingLimit      = 0x80338035 // ERROR_WSMAN_ENCODING_LIMIT
	codeInvalidParameter   = 0x8033803A // ERROR_WSMAN_INVALID_PARAMETER
	codeInvalidXML         = 0x80338043 // ERROR_WSMAN_INVALID_XML
	codeShellNotFound      = 0x8033805B // the shell-not-found fault (2150858843)
	codeInvalidTimeout     = 0x80338081 // ERROR_WSMAN_INVALID_TIMEOUT_HEADER
	codePluginFailed       = 0x80338083 // ERROR_WSMAN_PLUGIN_FAILED
	codeQuotaMaxShells     = 0x803381A5 // ERROR_WSMAN_QUOTA_MAX_SHELLS
)

func faultInvalidXML() *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:SchemaValidationError",
		reason:    "The WS-Management service cannot process the request because the XML is invalid.",
		wsmanCode: codeInvalidXML,
	}
}

func faultHeaderRequired() *fault {
	return &fault{
		action: faultActionAddressing, code: "s:Sender", subcode: "a:MessageInformationHeaderRequired",
		reason:    "The WS-Management service cannot process the request. The request does not have all the expected SOAP headers.",
		wsmanCode: codeHeaderRequired,
	}
}

func faultInvalidTimeout() *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:InvalidHeader",
		reason:    "The WS-Management service cannot process the request because the timeout header in the request is invalid.",
		wsmanCode: codeInvalidTimeout,
	}
}

func faultActionNotSupported(action string) *fault {
	return &fault{
		action: faultActionAddressing, code: "s:Sender", subcode: "a:ActionNotSupported",
		reason:    fmt.Sprintf("The WS-Management service does not support the action specified in the request: %s", action),
		wsmanCode: codeActionNotSupported,
	}
}

func faultResourceNotFound(uri string) *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:DestinationUnreachable",
		reason: fmt.Sprintf("The WS-Management service cannot process the request. The resource URI (%s) was not found "+
			"in the WS-Management catalog. The catalog contains the metadata that describes resources, or logical "+
			"endpoints.", uri),
		wsmanCode: codeResourceNotFound,
	}
}

func faultEncodingLimit(maxKB int) *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:EncodingLimit",
		reason: fmt.Sprintf("The WS-Management service cannot process the request because the request packet is larger "+
			"than the maximum envelope size of %d KB (MaxEnvelopeSizekb). Reconfigure the client to send messages "+
			"which fit the encoding limits of the service.", maxKB),
		wsmanCode: codeEncodingLimit,
		detail:    "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize",
	}
}

func faultTimedOut() *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Receiver", subcode: "w:TimedOut",
		reason:    "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ",
		wsmanCode: codeOperationTimedOut,
	}
}

func faultShellNotFound(shellID string) *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:InvalidSelectors",
		reason: fmt.Sprintf("The request for the Windows Remote Shell with ShellId %s failed because the shell was not "+
			"found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists "+
			"on the server. Provide the correct ShellId or create a new shell and retry the operation. ", shellID),
		wsmanCode: codeShellNotFound,
	}
}

func faultCommandNotFound() *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:InvalidParameter",
		reason: "The Windows Remote Shell received a request to perform an operation on a command identifier that does " +
			"not exist. Either the command has completed execution or the client specified an invalid command " +
			"identifier. Provide the correct command identifier and try again. ",
		wsmanCode: codeInvalidParameter,
	}
}

func faultInvalidBody(what string) *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Sender", subcode: "w:InvalidParameter",
		reason:    "The WS-Management service cannot process the request because a parameter for the operation is not valid: " + what,
		wsmanCode: codeInvalidParameter,
	}
}

func faultQuotaShells(max int) *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Receiver", subcode: "w:QuotaLimit",
		reason: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum "+
			"number of %d concurrent shells, which has been exceeded. Close existing shells or raise the quota for "+
			"this user. ", max),
		wsmanCode: codeQuotaMaxShells,
	}
}

func faultInternal() *fault {
	return &fault{
		action: faultActionWSMan, code: "s:Receiver", subcode: "w:InternalError",
		reason:    "The WS-Management service cannot process the request. The data source failed to return results for the request. ",
		wsmanCode: codePluginFailed,
	}
}

// statusOf returns the HTTP status a fault travels with.
func (f *fault) statusOf() int {
	if f.status != 0 {
		return f.status
	}
	return http.StatusInternalServerError
}
