package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/plans"
)

// TestAnsibleInventoriesPlanTheLab discovers the lab as an HCL inventory
// and as an Ansible YAML one (inventory discover -format ansible-yaml),
// writes an Ansible INI inventory of the same hosts by hand, and plans the
// example playbook with each: the three plans are the same, change for
// change, as an existing Ansible inventory must work unchanged.
func TestAnsibleInventoriesPlanTheLab(t *testing.T) {
	d := startDiscoverLab(t)
	if got := d.rectify(t, d.discoverArgs("-dns", d.dns, "-out", "discovered.hcl")...); got.code != 0 {
		t.Fatalf("discover: %s", got)
	}
	got := d.rectify(t, d.discoverArgs("-dns", d.dns, "-format", "ansible-yaml", "-out", "hosts.yml")...)
	if got.code != 0 || !strings.Contains(got.stderr, "wrote hosts.yml") {
		t.Fatalf("discover -format ansible-yaml: %s", got)
	}
	yml, err := os.ReadFile(filepath.Join(d.dir, "hosts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(yml), d.lab.Password()) || !strings.Contains(string(yml), "ansible_connection: winrm") {
		t.Errorf("the Ansible inventory holds the password, or is not one:\n%s", yml)
	}

	// The INI inventory an Ansible user keeps for the same hosts.
	inv, diags := inventory.Load(filepath.Join(d.dir, "discovered.hcl"), func(n string) (string, bool) { v, ok := d.env[n]; return v, ok })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var ini strings.Builder
	for _, g := range inv.Groups() {
		fmt.Fprintf(&ini, "[%s]\n", g)
		for _, h := range inv.Hosts() {
			if h.InGroup(g) {
				fmt.Fprintf(&ini, "%s ansible_host=%s rectify_site=%s\n", h.FQDN, h.Address, h.Site)
			}
		}
		ini.WriteString("\n")
	}
	pdc := d.lab.DCs()[0]
	fmt.Fprintf(&ini, `[all:vars]
ansible_connection=winrm
ansible_winrm_transport=ntlm
ansible_winrm_scheme=http
ansible_port=%d
ansible_winrm_ca_trust_path=lab-ca.pem
ansible_password=%s
rectify_domain=corp.example.com
rectify_ldap_url=ldaps://%s
rectify_ldap_gc_url=ldaps://%s
rectify_ldap_bind_user=%s
rectify_ldap_ca_file=lab-ca.pem
`, d.port, "not-the-password", d.lab.LDAPAddr(pdc, ldapd.LDAPS), d.lab.LDAPAddr(pdc, ldapd.GCS), d.lab.Username())
	if err := os.WriteFile(filepath.Join(d.dir, "hosts.ini"), []byte(ini.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	line := strings.Count(ini.String()[:strings.Index(ini.String(), "ansible_password=")], "\n") + 1
	got = d.rectify(t, "validate", "-inventory", "hosts.ini", "exchange-454")
	if got.code != 0 || !strings.Contains(got.stderr, "Warning: Password in the inventory ignored") || !strings.Contains(got.stderr, fmt.Sprintf("hosts.ini line %d:", line)) {
		t.Errorf("validate with the INI inventory must warn of ansible_password at line %d: %s", line, got)
	}
	if strings.Contains(got.String(), "not-the-password") {
		t.Errorf("the warning shows the password written in the file:\n%s", got)
	}
	want := changesOf(d.planJSON(t, "discovered.hcl"))
	if len(want) == 0 {
		t.Fatal("the HCL inventory planned nothing")
	}
	for _, file := range []string{"hosts.yml", "hosts.ini"} {
		if diff := cmp.Diff(want, changesOf(d.planJSON(t, file))); diff != "" {
			t.Errorf("the plan with %s differs from the HCL inventory's (-hcl +ansible):\n%s", file, diff)
		}
	}
}

// changesOf is what a plan would do on each instance: the change without
// the measurements that differ from one reading to the next.
func changesOf(p plans.Plan) map[string]string {
	out := map[string]string{}
	for _, in := range p.Instances {
		c := in.Change
		var attrs []plans.Attr
		for _, a := range c.Attrs {
			if !a.Volatile {
				attrs = append(attrs, a)
			}
		}
		c.Attrs = attrs
		out[in.Address] = fmt.Sprintf("%s %s %v %s %s", c.Action, c.Object, c.Attrs, c.Payload, in.Error)
	}
	return out
}
