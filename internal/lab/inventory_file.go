package lab

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
)

// WriteInventory writes an inventory file that points at the lab: WinRM
// defaults (HTTP with NTLM message encryption, or HTTPS with the lab CA
// when the lab serves it; credentials through env()), the
// domain's LDAPS endpoint on the PDC emulator, and every host with its FQDN,
// address, site, group ("exchange" or "dc") and, when it differs from the
// default, its WinRM port. The lab CA is written beside the file as
// <name>-ca.pem. The credentials to export are those of Credentials.
func (l *Lab) WriteInventory(path string) error {
	dir := filepath.Dir(path)
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	caName := base + "-ca.pem"
	if err := l.ca.WritePEM(filepath.Join(dir, caName)); err != nil {
		return fmt.Errorf("write the lab CA: %w", err)
	}
	data, err := l.InventoryHCL(caName)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	return nil
}

// InventoryHCL renders the inventory WriteInventory writes, naming caFile
// (absolute, or relative to where the inventory will be) as the CA bundle.
func (l *Lab) InventoryHCL(caFile string) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	root := f.Body()
	env := func(name string) hclwrite.Tokens {
		return hclwrite.TokensForFunctionCall("env", hclwrite.TokensForValue(cty.StringVal(name)))
	}

	defaultPort := 5986
	if !l.https {
		defaultPort = 5985
	}
	w := root.AppendNewBlock("winrm", nil).Body()
	w.SetAttributeValue("https", cty.BoolVal(l.https))
	w.SetAttributeValue("port", cty.NumberIntVal(int64(defaultPort)))
	w.SetAttributeValue("auth", cty.StringVal("ntlm"))
	if !l.https {
		// What the hosts require: messages sealed by the NTLM session.
		w.SetAttributeValue("encryption", cty.StringVal("auto"))
	}
	w.SetAttributeRaw("username", env(EnvWinRMUser))
	w.SetAttributeRaw("password", env(EnvWinRMPassword))
	if l.https {
		w.SetAttributeValue("ca_file", cty.StringVal(caFile))
	}
	root.AppendNewline()

	if d, ok := l.ldap[l.pdc()]; ok && d.ldapsAddr() != "" {
		domain := root.AppendNewBlock("domain", []string{l.org.Domain}).Body()
		ld := domain.AppendNewBlock("ldap", nil).Body()
		ld.SetAttributeValue("url", cty.StringVal("ldaps://"+d.ldapsAddr()))
		if gc := d.srv.Addr(ldapd.GCS); gc != "" {
			ld.SetAttributeValue("gc_url", cty.StringVal("ldaps://"+gc))
		}
		ld.SetAttributeRaw("bind_user", env(EnvLDAPUser))
		ld.SetAttributeRaw("password", env(EnvLDAPPassword))
		ld.SetAttributeValue("ca_file", cty.StringVal(caFile))
		root.AppendNewline()
	}

	for _, h := range l.org.Hosts() {
		ep, ok := l.hosts[h.Name]
		if !ok {
			continue
		}
		ip, portText, err := net.SplitHostPort(ep.Addr())
		if err != nil {
			return nil, fmt.Errorf("host %s: %w", h.Name, err)
		}
		port, _ := strconv.Atoi(portText)
		hb := root.AppendNewBlock("host", []string{h.Name}).Body()
		hb.SetAttributeValue("fqdn", cty.StringVal(h.FQDN))
		hb.SetAttributeValue("address", cty.StringVal(ip))
		hb.SetAttributeValue("domain", cty.StringVal(l.org.Domain))
		hb.SetAttributeValue("site", cty.StringVal(h.Site))
		hb.SetAttributeValue("groups", cty.ListVal([]cty.Value{cty.StringVal(string(h.Role))}))
		if port != defaultPort {
			hb.AppendNewBlock("winrm", nil).Body().SetAttributeValue("port", cty.NumberIntVal(int64(port)))
		}
		root.AppendNewline()
	}
	return f.Bytes(), nil
}
