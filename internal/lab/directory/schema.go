package directory

import (
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// syntax is how values of an attribute compare.
type syntax int

const (
	// syntaxString compares case-insensitively (AD's Unicode and
	// case-ignore string syntaxes: servicePrincipalName, sAMAccountName,
	// dNSHostName, cn and almost everything else).
	syntaxString syntax = iota
	// syntaxInteger compares numerically (Integer and LargeInteger).
	syntaxInteger
	// syntaxDN compares normalised distinguished names.
	syntaxDN
	// syntaxOctet compares bytes exactly.
	syntaxOctet
)

// attributeSyntaxes names the attributes whose syntax is not a
// case-insensitive string. Keys are lower case.
var attributeSyntaxes = map[string]syntax{
	"useraccountcontrol":                   syntaxInteger,
	"usncreated":                           syntaxInteger,
	"usnchanged":                           syntaxInteger,
	"instancetype":                         syntaxInteger,
	"primarygroupid":                       syntaxInteger,
	"samaccounttype":                       syntaxInteger,
	"msds-supportedencryptiontypes":        syntaxInteger,
	"admincount":                           syntaxInteger,
	"systemflags":                          syntaxInteger,
	"grouptype":                            syntaxInteger,
	"options":                              syntaxInteger,
	"serverrole":                           syntaxInteger,
	"versionnumber":                        syntaxInteger,
	"msexchversion":                        syntaxInteger,
	"msexchcurrentserverroles":             syntaxInteger,
	"msexchsmtpreceiveinboundsecurityflag": syntaxInteger,
	"msexchsmtpreceiverole":                syntaxInteger,
	"pwdlastset":                           syntaxInteger,
	"lastlogontimestamp":                   syntaxInteger,
	"accountexpires":                       syntaxInteger,
	"highestcommittedusn":                  syntaxInteger,
	"distinguishedname":                    syntaxDN,
	"objectcategory":                       syntaxDN,
	"defaultobjectcategory":                syntaxDN,
	"member":                               syntaxDN,
	"memberof":                             syntaxDN,
	"managedby":                            syntaxDN,
	"serverreference":                      syntaxDN,
	"serverreferencebl":                    syntaxDN,
	"homemta":                              syntaxDN,
	"siteobject":                           syntaxDN,
	"frscomputerreferencebl":               syntaxDN,
	"msds-isdomainfor":                     syntaxDN,
	"msexchhomeroutinggroup":               syntaxDN,
	"msexchserversite":                     syntaxDN,
	"objectguid":                           syntaxOctet,
	"objectsid":                            syntaxOctet,
	"unicodepwd":                           syntaxOctet,
	"ntsecuritydescriptor":                 syntaxOctet,
	"usercertificate":                      syntaxOctet,
	"msds-generationid":                    syntaxOctet,
	"msexchmailboxsecuritydescriptor":      syntaxOctet,
}

// singleValued names the single-valued attributes among those the lab
// writes. Keys are lower case.
var singleValued = map[string]bool{
	"samaccountname":                       true,
	"dnshostname":                          true,
	"useraccountcontrol":                   true,
	"objectcategory":                       true,
	"cn":                                   true,
	"name":                                 true,
	"distinguishedname":                    true,
	"primarygroupid":                       true,
	"samaccounttype":                       true,
	"instancetype":                         true,
	"serverreference":                      true,
	"msexchserversite":                     true,
	"msexchsmtpreceiveinboundsecurityflag": true,
	"msexchsmtpreceiverole":                true,
	"msexchsmtpreceiveenabled":             true,
	"msexchsmtpreceiveconnectorfqdn":       true,
	"ldapdisplayname":                      true,
	"dc":                                   true,
}

func syntaxOf(attr string) syntax {
	return attributeSyntaxes[lower(attr)]
}

// categoryNames maps an lDAPDisplayName a filter may use for objectCategory
// to the common name of that class's defaultObjectCategory, as AD resolves
// (objectCategory=computer) to CN=Computer,CN=Schema,CN=Configuration,....
// Note that user resolves to Person, as on AD.
var categoryNames = map[string]string{
	"computer":                     "Computer",
	"user":                         "Person",
	"person":                       "Person",
	"group":                        "Group",
	"organizationalunit":           "Organizational-Unit",
	"container":                    "Container",
	"domaindns":                    "Domain-DNS",
	"configuration":                "Configuration",
	"dmd":                          "DMD",
	"site":                         "Site",
	"sitescontainer":               "Sites-Container",
	"server":                       "Server",
	"serverscontainer":             "Servers-Container",
	"ntdsdsa":                      "NTDS-DSA",
	"msexchexchangeserver":         "ms-Exch-Exchange-Server",
	"msexchorganizationcontainer":  "ms-Exch-Organization-Container",
	"msexchconfigurationcontainer": "ms-Exch-Configuration-Container",
	"msexchsmtpreceiveconnector":   "ms-Exch-Smtp-Receive-Connector",
	"classschema":                  "Class-Schema",
	"attributeschema":              "Attribute-Schema",
}

// CategoryDN returns the objectCategory AD stores for objects of the class
// with the given lDAPDisplayName (computer ->
// CN=Computer,CN=Schema,CN=Configuration,<forest root>). An unknown class
// gets its name as the common name.
func CategoryDN(class, forestRoot string) string {
	cn, ok := categoryNames[lower(class)]
	if !ok {
		cn = class
	}
	return "CN=" + cn + ",CN=Schema,CN=Configuration," + forestRoot
}

// categoryPrefix returns the canonical-DN prefix of the objectCategory of a
// class given by lDAPDisplayName: an objectCategory value matches the short
// name when its canonical form starts with it.
func categoryPrefix(class string) string {
	cn, ok := categoryNames[lower(class)]
	if !ok {
		cn = class
	}
	return "cn=" + ldap.EscapeDN(lower(cn)) + ",cn=schema,cn=configuration,"
}

func parseInteger(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		// AD stores flags such as userAccountControl as signed 32-bit
		// values but accepts them written unsigned.
		u, uerr := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if uerr != nil {
			return 0, false
		}
		return int64(u), true
	}
	return n, true
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
