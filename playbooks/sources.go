package playbooks

import "github.com/hashicorp/hcl/v2"

// SourceFiles returns the playbook's files in the form
// hcl.NewDiagnosticTextWriter takes.
func (p *Playbook) SourceFiles() map[string]*hcl.File {
	return sourceFiles(p.Files)
}

// SourceFiles returns the playbook's files and those Evaluate read
// (variable files, -var values), in the form hcl.NewDiagnosticTextWriter
// takes.
func (r *Resolved) SourceFiles() map[string]*hcl.File {
	if r.Playbook == nil {
		return sourceFiles(r.Files)
	}
	return sourceFiles(r.Playbook.Files, r.Files)
}

func sourceFiles(maps ...map[string][]byte) map[string]*hcl.File {
	out := map[string]*hcl.File{}
	for _, m := range maps {
		for name, src := range m {
			out[name] = &hcl.File{Bytes: src}
		}
	}
	return out
}
