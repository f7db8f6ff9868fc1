package playbooks

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strconv"
)

// digest returns "sha256:<hex>" over the files' names relative to dir and
// their contents, in name order. Each name and content is length-prefixed,
// so no two different playbooks encode to the same bytes.
func digest(dir string, files map[string][]byte) string {
	type file struct {
		rel string
		src []byte
	}
	list := make([]file, 0, len(files))
	for name, src := range files {
		rel, err := filepath.Rel(dir, name)
		if err != nil {
			rel = filepath.Base(name)
		}
		list = append(list, file{rel: filepath.ToSlash(rel), src: src})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].rel < list[j].rel })
	h := sha256.New()
	for _, f := range list {
		h.Write([]byte(strconv.Itoa(len(f.rel)) + ":" + f.rel))
		h.Write([]byte(strconv.Itoa(len(f.src)) + ":"))
		h.Write(f.src)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
