package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// EvaluatedDigest returns the digest of the inventory as evaluated: every
// host with its facts and how it is reached (address, port, scheme,
// authentication, user, CA certificates' bytes, server name, timeouts),
// every group and every domain's directory settings. Passwords are left
// out: a rotated password reaches the same hosts. The digest is keyed by
// salt (a plan's), so it tells nothing of a value, such as a user taken
// from env(), to anyone who cannot guess it. An LDAP URL, an address or a
// CA read through env() or file() that differs from the plan's changes it,
// so apply refuses the plan before reading any host.
func (inv *Inventory) EvaluatedDigest(salt plans.Salt) string {
	type winrm struct {
		Host               string        `json:"host"`
		Port               int           `json:"port"`
		HTTPS              bool          `json:"https"`
		Auth               string        `json:"auth"`
		Username           string        `json:"username"`
		PasswordSet        bool          `json:"password_set"`
		CA                 string        `json:"ca"`
		ServerName         string        `json:"server_name"`
		InsecureSkipVerify bool          `json:"insecure_skip_verify"`
		Timeout            time.Duration `json:"timeout"`
	}
	type host struct {
		Facts actions.Host `json:"facts"`
		WinRM winrm        `json:"winrm"`
	}
	type ldap struct {
		URL                string           `json:"url"`
		GCURL              string           `json:"gc_url"`
		BaseDN             string           `json:"base_dn"`
		Auth               string           `json:"auth"`
		Kerberos           KerberosSettings `json:"kerberos"`
		BindUser           string           `json:"bind_user"`
		PasswordSet        bool             `json:"password_set"`
		CA                 string           `json:"ca"`
		ServerName         string           `json:"server_name"`
		StartTLS           bool             `json:"start_tls"`
		InsecureSkipVerify bool             `json:"insecure_skip_verify"`
		Timeout            time.Duration    `json:"timeout"`
	}
	type domain struct {
		Name string `json:"name"`
		LDAP *ldap  `json:"ldap"`
	}
	doc := struct {
		Hosts   []host   `json:"hosts"`
		Groups  []string `json:"groups"`
		Domains []domain `json:"domains"`
	}{Hosts: []host{}, Groups: inv.Groups(), Domains: []domain{}}
	for _, h := range inv.hosts {
		w := h.winrm
		doc.Hosts = append(doc.Hosts, host{Facts: copyHost(h.facts), WinRM: winrm{
			Host: w.Host, Port: w.Port, HTTPS: w.HTTPS, Auth: w.Auth, Username: w.Username, PasswordSet: w.Password.IsSet(),
			CA: pemDigest(w.CAPEM), ServerName: w.ServerName, InsecureSkipVerify: w.InsecureSkipVerify, Timeout: w.Timeout,
		}})
	}
	for _, d := range inv.domains {
		dd := domain{Name: d.Name}
		if l := d.LDAP; l != nil {
			dd.LDAP = &ldap{URL: l.URL, GCURL: l.GCURL, BaseDN: l.BaseDN, Auth: l.Auth, Kerberos: l.Kerberos, BindUser: l.BindUser, PasswordSet: l.Password.IsSet(),
				CA: pemDigest(l.CAPEM), ServerName: l.ServerName, StartTLS: l.StartTLS, InsecureSkipVerify: l.InsecureSkipVerify, Timeout: l.Timeout}
		}
		doc.Domains = append(doc.Domains, dd)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Every field is a plain value; this cannot fail.
		panic("encode the inventory's digest document: " + err.Error())
	}
	return salt.Hash(b)
}

func pemDigest(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
