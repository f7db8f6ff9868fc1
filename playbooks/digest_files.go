package playbooks

import (
	"errors"
)

// Digest returns the digest LoadDir would give the playbook at path,
// reading its files without decoding them: apply of a saved plan uses it to
// refuse a plan whose playbook changed, without re-reading the HCL.
func Digest(path string) (string, error) {
	names, dir, diags := playbookFiles(path)
	if diags.HasErrors() {
		return "", errors.New(diags[0].Detail)
	}
	files := make(map[string][]byte, len(names))
	for _, n := range names {
		src, d := readSource(n)
		if d.HasErrors() {
			return "", errors.New(d[0].Detail)
		}
		files[n] = src
	}
	return digest(dir, files), nil
}
