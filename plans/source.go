package plans

import (
	"encoding/json"
	"fmt"
)

// SourceRange is where a step is declared in its playbook: its file and
// the start and end of its block's header, as HCL counts them (lines and
// columns from 1, bytes from 0). An error found while planning or applying
// one of the step's instances points there, as a load error would.
type SourceRange struct {
	File  string    `json:"file"`
	Start SourcePos `json:"start"`
	End   SourcePos `json:"end"`
}

// SourcePos is one position in a file.
type SourcePos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// String returns "file:line,column", as HCL writes a position.
func (r SourceRange) String() string {
	return fmt.Sprintf("%s:%d,%d", r.File, r.Start.Line, r.Start.Column)
}

// UnmarshalJSON reads a range, refusing one that is not a range of a
// file.
func (r *SourceRange) UnmarshalJSON(b []byte) error {
	type plain SourceRange
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	switch {
	case p.File == "":
		return fmt.Errorf("source range: no file")
	case p.Start.Line < 1 || p.Start.Column < 1 || p.Start.Byte < 0 || p.End.Line < p.Start.Line || p.End.Byte < p.Start.Byte || p.End.Column < 1:
		return fmt.Errorf("source range %s: not a range of the file", SourceRange(p))
	}
	*r = SourceRange(p)
	return nil
}
