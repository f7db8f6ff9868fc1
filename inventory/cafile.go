package inventory

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
)

// maxCAFileSize bounds a ca_file: a bundle of a few hundred certificates.
const maxCAFileSize = 1 << 20

// caFile decodes a ca_file attribute: the path is resolved against the
// inventory's directory, the file is read now, and it must hold at least one
// PEM certificate that parses. It returns the absolute path and the PEM.
func (d *decoder) caFile(attr *hcl.Attribute) (string, []byte, bool) {
	p, sensitive, ok := d.plainString(attr)
	if !ok {
		return "", nil, false
	}
	name := fmt.Sprintf("%q", p)
	if sensitive {
		name = "the file named by " + attr.Name
	}
	if p == "" {
		d.errorf(attr.Expr.Range(), "Invalid ca_file", "ca_file must name a file of PEM certificates.")
		return "", nil, false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	pemBytes, err := readCAFile(p)
	if err != nil {
		d.errorf(attr.Expr.Range(), "Unusable ca_file", "Cannot use %s: %v.", name, err)
		return "", nil, false
	}
	return p, pemBytes, true
}

func readCAFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, pathless(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, pathless(err)
	} else if st.IsDir() {
		return nil, errors.New("it is a directory")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCAFileSize+1))
	if err != nil {
		return nil, pathless(err)
	}
	if len(b) > maxCAFileSize {
		return nil, fmt.Errorf("it is larger than %d bytes", maxCAFileSize)
	}
	if err := checkPEMCertificates(b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkPEMCertificates succeeds when b holds one or more PEM blocks, all of
// them certificates that parse.
func checkPEMCertificates(b []byte) error {
	n := 0
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		if block.Type != "CERTIFICATE" {
			return fmt.Errorf("PEM block %d is a %q, not a CERTIFICATE", n, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %v", n, err)
		}
	}
	if n == 0 {
		return errors.New("it holds no PEM certificate")
	}
	return nil
}

func pathless(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
