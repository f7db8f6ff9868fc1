package ldapd

import (
	"strconv"
	"strings"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// Control and extension OIDs.
const (
	oidPagedResults = "1.2.840.113556.1.4.319"
	oidStartTLS     = "1.3.6.1.4.1.1466.20037"
	oidWhoAmI       = "1.3.6.1.4.1.4203.1.11.3"
)

// rootDSE builds the root DSE as this DC shows it now.
func (s *Server) rootDSE() directory.Entry {
	root := s.dir.Root()
	config := s.dir.ConfigurationDN()
	host := s.opts.DNSHostName
	short, _, _ := strings.Cut(host, ".")
	server := "CN=" + strings.ToUpper(short) + ",CN=Servers,CN=" + s.opts.Site + ",CN=Sites," + config
	dns := s.dir.DNSName()
	now := s.opts.Now().Add(s.opts.ClockOffset()).UTC()
	return directory.Entry{Attributes: map[string][]string{
		"currentTime":                   {now.Format("20060102150405") + ".0Z"}, // AD prints a literal .0
		"subschemaSubentry":             {"CN=Aggregate," + s.dir.SchemaDN()},
		"dsServiceName":                 {"CN=NTDS Settings," + server},
		"namingContexts":                {root, config, s.dir.SchemaDN()},
		"defaultNamingContext":          {root},
		"rootDomainNamingContext":       {root},
		"configurationNamingContext":    {config},
		"schemaNamingContext":           {s.dir.SchemaDN()},
		"supportedControl":              {oidPagedResults},
		"supportedExtension":            {oidStartTLS, oidWhoAmI},
		"supportedLDAPVersion":          {"3", "2"},
		"supportedLDAPPolicies":         {"MaxPageSize", "MaxReceiveBuffer"},
		"supportedSASLMechanisms":       {},
		"highestCommittedUSN":           {strconv.FormatUint(s.dir.Version(), 10)},
		"dnsHostName":                   {host},
		"ldapServiceName":               {dns + ":" + strings.ToLower(short) + "$@" + strings.ToUpper(dns)},
		"serverName":                    {server},
		"isSynchronized":                {"TRUE"},
		"isGlobalCatalogReady":          {"TRUE"},
		"domainFunctionality":           {"7"},
		"forestFunctionality":           {"7"},
		"domainControllerFunctionality": {"7"},
	}}
}
