package discover

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// WriteAnsibleYAML renders r as an Ansible YAML inventory that rectify
// reads (and Ansible too): the hosts by their DNS names in the groups
// "exchange" and "dc", the WinRM connection variables in all's vars, and
// the domain's LDAP settings as rectify_* variables. Every value is a
// YAML scalar the encoder quotes as needed, so no name from the directory
// can add keys; credentials come from the environment.
func WriteAnsibleYAML(r *Result, s Settings) ([]byte, error) {
	if r.Domain == "" {
		return nil, fmt.Errorf("write inventory: no domain")
	}
	vars := &mapping{}
	vars.set("ansible_connection", "winrm")
	vars.set("ansible_winrm_transport", "ntlm")
	scheme, port := "http", s.WinRM.Port
	if s.WinRM.HTTPS {
		scheme = "https"
	}
	if port == 0 {
		port = 5985
		if s.WinRM.HTTPS {
			port = 5986
		}
	}
	vars.set("ansible_winrm_scheme", scheme)
	vars.setInt("ansible_port", port)
	if s.WinRM.CAFile != "" {
		vars.set("ansible_winrm_ca_trust_path", s.WinRM.CAFile)
	}
	if s.WinRM.PasswordEnv != "" && s.WinRM.PasswordEnv != DefaultWinRMPasswordEnv {
		vars.set("rectify_winrm_password_env", s.WinRM.PasswordEnv)
	}
	vars.set("rectify_domain", r.Domain)
	if l := s.LDAP; l.URL != "" {
		vars.set("rectify_ldap_url", l.URL)
		if l.GCURL != "" {
			vars.set("rectify_ldap_gc_url", l.GCURL)
		}
		if l.StartTLS {
			vars.set("rectify_ldap_start_tls", "true")
		}
		if l.BindUser != "" {
			vars.set("rectify_ldap_bind_user", l.BindUser)
			vars.set("rectify_ldap_password_env", orDefault(l.PasswordEnv, DefaultLDAPPasswordEnv))
		}
		if l.CAFile != "" {
			vars.set("rectify_ldap_ca_file", l.CAFile)
		}
		if l.ServerName != "" {
			vars.set("rectify_ldap_server_name", l.ServerName)
		}
	}

	var groupOrder []string
	members := map[string]*mapping{}
	for _, h := range r.Hosts {
		groups := slices.Clone(h.Groups)
		if s.SiteGroups && h.Site != "" {
			groups = append(groups, "site-"+SafeName(h.Site))
		}
		for _, g := range groups {
			if _, ok := members[g]; !ok {
				members[g] = &mapping{}
				groupOrder = append(groupOrder, g)
			}
			hv := &mapping{}
			// The host's variables are written once, at its first group.
			if slices.Index(groups, g) == 0 {
				if h.Address != "" {
					hv.set("ansible_host", h.Address)
				}
				if h.Name != firstLabel(h.FQDN) {
					hv.set("rectify_name", h.Name)
				}
				if h.Domain != "" && h.Domain != r.Domain {
					// Another domain of the forest: its own, without the
					// directory settings of the domain discovered.
					hv.set("rectify_domain", h.Domain)
					hv.set("rectify_ldap_url", "")
				}
				if h.Site != "" {
					hv.set("rectify_site", h.Site)
				}
				if h.DirectoryName != "" && !equalFoldASCII(h.DirectoryName, firstLabel(h.FQDN)) {
					hv.set("directory_name", h.DirectoryName)
				}
			}
			members[g].setNode(h.FQDN, hv.node())
		}
	}
	children := &mapping{}
	for _, g := range groupOrder {
		body := &mapping{}
		body.setNode("hosts", members[g].node())
		children.setNode(g, body.node())
	}
	all := &mapping{}
	all.setNode("vars", vars.node())
	all.setNode("children", children.node())
	root := &mapping{}
	root.setNode("all", all.node())

	var b bytes.Buffer
	b.WriteString("# Discovered from Active Directory by rectify inventory discover.\n")
	b.WriteString("# Passwords come from the environment (RECTIFY_WINRM_PASSWORD, RECTIFY_LDAP_PASSWORD),\n")
	b.WriteString("# the WinRM user from RECTIFY_WINRM_USER unless ansible_user is set.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root.node()); err != nil {
		return nil, fmt.Errorf("write inventory: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write inventory: %w", err)
	}
	return b.Bytes(), nil
}

// mapping builds a YAML mapping in insertion order.
type mapping struct{ content []*yaml.Node }

func (m *mapping) set(key, value string) {
	m.setNode(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

func (m *mapping) setInt(key string, value int) {
	m.setNode(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(value)})
}

func (m *mapping) setNode(key string, value *yaml.Node) {
	m.content = append(m.content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
}

// node returns the mapping; an empty one is written as null (a host
// without variables: "ex01.corp.example.com:").
func (m *mapping) node() *yaml.Node {
	if len(m.content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: m.content}
}
