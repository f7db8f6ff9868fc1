package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/testenv"
)

// The sizes of the duplicate SPN scans: computer objects in the domain.
// BENCH_SPN_SIZES overrides the lab's ("10000,100000"), BENCH_SAMBA_SIZES
// Samba's: loading Samba over LDAP takes about 15 ms a computer here, so
// 100,000 computers (25 minutes) are left to an explicit
// BENCH_SAMBA_SIZES=100000.
var (
	labSizes   = []int{10_000, 100_000}
	sambaSizes = []int{10_000}
)

func sizes(b *testing.B, env string, def []int) []int {
	s := os.Getenv(env)
	if s == "" {
		return def
	}
	var out []int
	for _, f := range bytes.Split([]byte(s), []byte(",")) {
		n, err := strconv.Atoi(string(bytes.TrimSpace(f)))
		if err != nil {
			b.Fatalf("%s: %v", env, err)
		}
		out = append(out, n)
	}
	return out
}

// target is one server to scan: rectify's Directory and ldapsearch's
// arguments for the same Global Catalog endpoint, base and account.
type target struct {
	url, base, user, password, caFile string
}

// rectifyScan runs rectify's duplicate SPN scan (ldap.DuplicateScan, the
// read behind ad.spn_duplicates) and returns the number of duplicates.
func (tg target) rectifyScan(b *testing.B) int {
	pem, err := os.ReadFile(tg.caFile)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	dir, err := ldap.New(ldap.Config{URL: tg.url, GCURL: tg.url, BaseDN: tg.base, BindUser: tg.user, Password: secret.New(tg.password), RootCAs: pool})
	if err != nil {
		b.Fatal(err)
	}
	defer dir.Close()
	n := 0
	if err := ldap.DuplicateScan(context.Background(), dir, 1000, func(ldap.Duplicate) { n++ }); err != nil {
		b.Fatal(err)
	}
	return n
}

// ldapsearch runs ldapsearch -E pr=1000/noprompt of the same filter and
// attributes, reading its LDIF, and returns the entries it printed.
func (tg target) ldapsearch(b *testing.B) int {
	cmd := exec.Command("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-x", "-H", tg.url, "-D", tg.user, "-w", tg.password,
		"-b", tg.base, "-E", "pr=1000/noprompt", "(servicePrincipalName=*)", "sAMAccountName", "dNSHostName", "servicePrincipalName")
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+tg.caFile, "LDAPTLS_REQCERT=demand")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	entries := 0
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if bytes.HasPrefix(sc.Bytes(), []byte("dn: ")) {
			entries++
		}
	}
	if err := cmd.Wait(); err != nil {
		b.Fatalf("ldapsearch: %v\n%s", err, stderr.String())
	}
	return entries
}

// scan benchmarks both clients against one target.
func scan(b *testing.B, tg target, computers int) {
	b.Run("rectify", func(b *testing.B) {
		dups := 0
		for b.Loop() {
			dups = tg.rectifyScan(b)
		}
		b.ReportMetric(float64(dups), "duplicates")
		b.ReportMetric(float64(computers), "computers")
	})
	b.Run("ldapsearch", func(b *testing.B) {
		testenv.LookPath(b, "ldapsearch", "the Debian package ldap-utils")
		entries := 0
		for b.Loop() {
			entries = tg.ldapsearch(b)
		}
		b.ReportMetric(float64(entries), "entries")
		b.ReportMetric(float64(computers), "computers")
	})
}

// BenchmarkDuplicateSPNScanLab scans the lab's directory over LDAPS to its
// Global Catalog, filled with computers (one in every hundred sharing an
// SPN with the previous one). The lab runs in a process of its own
// (labbench -serve-directory), as a DC would, so that its heap does not
// slow the client measured here.
func BenchmarkDuplicateSPNScanLab(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "labbench")
	build := exec.Command("go", "build", "-o", bin, "./labbench")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./labbench: %v\n%s", err, out)
	}
	for _, n := range sizes(b, "BENCH_SPN_SIZES", labSizes) {
		b.Run(fmt.Sprintf("computers=%d", n), func(b *testing.B) {
			cmd := exec.Command(bin, "-serve-directory", strconv.Itoa(n), "-out", b.TempDir())
			stdin, err := cmd.StdinPipe()
			if err != nil {
				b.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() {
				stdin.Close()
				cmd.Wait()
			}()
			var tgt struct {
				URL      string `json:"url"`
				Base     string `json:"base"`
				User     string `json:"user"`
				Password string `json:"password"`
				CAFile   string `json:"ca_file"`
			}
			if err := json.NewDecoder(stdout).Decode(&tgt); err != nil {
				b.Fatalf("labbench -serve-directory: %v", err)
			}
			scan(b, target{url: tgt.URL, base: tgt.Base, user: tgt.User, password: tgt.Password, caFile: tgt.CAFile}, n)
		})
	}
}

// BenchmarkDuplicateSPNScanSamba scans a Samba AD DC over LDAPS to its
// Global Catalog, filled over LDAP with computers holding HOST/ SPNs. It
// is skipped, with the reason, where Samba cannot run (under CI it fails).
func BenchmarkDuplicateSPNScanSamba(b *testing.B) {
	for _, n := range sizes(b, "BENCH_SAMBA_SIZES", sambaSizes) {
		b.Run(fmt.Sprintf("computers=%d", n), func(b *testing.B) {
			dc := sambatest.Start(b)
			conn := dc.Admin(b)
			for i := range n {
				name := fmt.Sprintf("ws%06d", i)
				req := goldap.NewAddRequest(sambatest.ComputerDN(name), nil)
				req.Attribute("objectClass", []string{"computer"})
				req.Attribute("sAMAccountName", []string{name + "$"})
				req.Attribute("dNSHostName", []string{sambatest.ComputerFQDN(name)})
				req.Attribute("userAccountControl", []string{"4096"})
				req.Attribute("servicePrincipalName", []string{"HOST/" + name, "HOST/" + sambatest.ComputerFQDN(name)})
				if err := conn.Add(req); err != nil {
					b.Fatalf("add computer %s: %v", name, err)
				}
			}
			tg := target{url: dc.GCSURL(), base: sambatest.BaseDN, user: dc.AdminUPN(), password: dc.AdminPassword(), caFile: dc.PKI.CAFile}
			scan(b, tg, n)
		})
	}
}
