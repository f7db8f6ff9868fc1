package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
)

// DirectoryTarget is what -serve-directory prints: how to reach the lab's
// Global Catalog over LDAPS.
type DirectoryTarget struct {
	URL      string `json:"url"`
	Base     string `json:"base"`
	User     string `json:"user"`
	Password string `json:"password"`
	CAFile   string `json:"ca_file"`
}

// serveDirectoryUntilEOF serves the KB 979174 lab with n more computers in
// its directory (one in every hundred sharing an SPN with the previous
// one), prints its DirectoryTarget on one line, and serves until standard
// input closes. It runs in a process of its own so that the directory's
// heap and collections do not weigh on the clients measured against it.
func serveDirectoryUntilEOF(n int, dir string) error {
	if dir == "" {
		return fmt.Errorf("-serve-directory needs -out for the lab's CA")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	l, err := lab.Start(context.Background(), lab.KB979174(), lab.Options{Dir: dir, WinRMPort: lab.AnyPort,
		LDAPPorts: lab.LDAPPorts{LDAP: lab.AnyPort, LDAPS: lab.AnyPort, GC: lab.AnyPort, GCS: lab.AnyPort}})
	if err != nil {
		return err
	}
	defer l.Close()
	for i := range n {
		c := directory.Computer{Name: fmt.Sprintf("WS%06d", i)}
		if i%100 == 1 {
			c.SPNs = []string{"HOST/" + c.Name, fmt.Sprintf("HOST/WS%06d", i-1), "RestrictedKrbHost/" + c.Name}
			c.Replicated = true
		}
		if _, err := l.Directory().AddComputer(c); err != nil {
			return err
		}
	}
	creds := l.Credentials()
	if err := json.NewEncoder(os.Stdout).Encode(DirectoryTarget{
		URL: "ldaps://" + l.LDAPAddr(l.DCs()[0], ldapd.GCS), Base: "DC=corp,DC=example,DC=com",
		User: creds[lab.EnvLDAPUser], Password: creds[lab.EnvLDAPPassword], CAFile: l.CAFile(),
	}); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, os.Stdin)
	return err
}
