package lang

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Sensitive is the cty mark carried by secret values.
const Sensitive = "sensitive"

// MaxFileSize is the largest file that file() reads.
const MaxFileSize = 1 << 20

// Scope is where functions run: the directory that relative file() paths
// are resolved against, and how environment variables are looked up.
type Scope struct {
	// BaseDir is the directory of the playbook or inventory; file() may not
	// read outside it.
	BaseDir string
	// LookupEnv reads an environment variable; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Functions returns the function table for s. A function that fails on a
// sensitive argument reports the failure without the argument's value.
func (s Scope) Functions() map[string]function.Function {
	table := s.table()
	for name, f := range table {
		switch name {
		case "try", "can", "sensitive":
			// try and can take expressions, not values; sensitive cannot fail.
		default:
			table[name] = hideSensitiveErrors(f)
		}
	}
	return table
}

func (s Scope) table() map[string]function.Function {
	return map[string]function.Function{
		"abs":        stdlib.AbsoluteFunc,
		"can":        tryfunc.CanFunc,
		"ceil":       stdlib.CeilFunc,
		"chomp":      stdlib.ChompFunc,
		"coalesce":   stdlib.CoalesceFunc,
		"compact":    stdlib.CompactFunc,
		"concat":     stdlib.ConcatFunc,
		"contains":   stdlib.ContainsFunc,
		"distinct":   stdlib.DistinctFunc,
		"element":    stdlib.ElementFunc,
		"flatten":    stdlib.FlattenFunc,
		"floor":      stdlib.FloorFunc,
		"format":     stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc,
		"indent":     stdlib.IndentFunc,
		"join":       stdlib.JoinFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc,
		"keys":       stdlib.KeysFunc,
		"length":     stdlib.LengthFunc,
		"lookup":     stdlib.LookupFunc,
		"lower":      stdlib.LowerFunc,
		"max":        stdlib.MaxFunc,
		"merge":      stdlib.MergeFunc,
		"min":        stdlib.MinFunc,
		"range":      stdlib.RangeFunc,
		"regex":      stdlib.RegexFunc,
		"regexall":   stdlib.RegexAllFunc,
		"replace":    stdlib.ReplaceFunc,
		"reverse":    stdlib.ReverseListFunc,
		"setunion":   stdlib.SetUnionFunc,
		"slice":      stdlib.SliceFunc,
		"sort":       stdlib.SortFunc,
		"split":      stdlib.SplitFunc,
		"substr":     stdlib.SubstrFunc,
		"title":      stdlib.TitleFunc,
		"tolist":     makeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":      makeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":   makeToFunc(cty.Number),
		"toset":      makeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":   makeToFunc(cty.String),
		"trim":       stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc,
		"trimspace":  stdlib.TrimSpaceFunc,
		"trimsuffix": stdlib.TrimSuffixFunc,
		"try":        tryfunc.TryFunc,
		"upper":      stdlib.UpperFunc,
		"values":     stdlib.ValuesFunc,
		"zipmap":     stdlib.ZipmapFunc,

		"env":       s.envFunc(),
		"file":      s.fileFunc(),
		"duration":  durationFunc,
		"sensitive": sensitiveFunc,
	}
}

func makeToFunc(t cty.Type) function.Function {
	return stdlib.MakeToFunc(t)
}

// envFunc reads an environment variable. The value is marked sensitive:
// environment variables are where secrets come from.
func (s Scope) envFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, marked sensitive.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			lookup := s.LookupEnv
			if lookup == nil {
				lookup = os.LookupEnv
			}
			v, ok := lookup(name)
			if !ok {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "environment variable %q is not set", name)
			}
			return cty.StringVal(v).Mark(Sensitive), nil
		},
	})
}

// fileFunc reads a file below the scope's base directory. Its content is
// marked sensitive (password files), trailing newlines kept as written.
func (s Scope) fileFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the content of a file below the playbook or inventory directory, marked sensitive.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := ReadFileWithin(s.BaseDir, args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), function.NewArgError(0, err)
			}
			return cty.StringVal(string(b)).Mark(Sensitive), nil
		},
	})
}

// ReadFileWithin reads path (relative to base, or absolute) if it lies
// within base once symbolic links are resolved, and is at most MaxFileSize.
func ReadFileWithin(base, path string) ([]byte, error) {
	if strings.ContainsRune(path, 0) {
		return nil, errors.New("the path contains a NUL byte")
	}
	if base == "" {
		base = "."
	}
	root, err := filepath.Abs(base)
	if err != nil {
		return nil, fmt.Errorf("resolve the base directory: %w", err)
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	p := path
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, os.ErrNotExist) {
			return nil, fmt.Errorf("no file %q", path)
		}
		return nil, fmt.Errorf("cannot resolve %q: %v", path, stripPath(err))
	}
	rel, err := filepath.Rel(root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%q is outside the directory %s; file() reads only files below it", path, root)
	}
	f, err := os.Open(resolved)
	if err != nil {
		return nil, fmt.Errorf("cannot open %q: %v", path, stripPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", path, stripPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%q is a directory", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", path, stripPath(err))
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%q is larger than %d bytes", path, MaxFileSize)
	}
	return b, nil
}

// stripPath returns the underlying error of a path error, so messages name
// the path once, as the user wrote it.
func stripPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// durationFunc checks a duration ("90s", "5m", "24h", "1h30m") and returns
// it in Go's canonical form, so that attributes accept both literals and
// duration() calls.
var durationFunc = function.New(&function.Spec{
	Description: "Checks a duration such as 5m or 24h and returns it in canonical form.",
	Params:      []function.Parameter{{Name: "duration", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		d, err := ParseDuration(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(0, err)
		}
		return cty.StringVal(d.String()), nil
	},
})

// ParseDuration parses a non-negative duration, also accepting a "d" unit
// for days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if strings.HasSuffix(t, "d") {
		var days int
		if _, err := fmt.Sscanf(t, "%dd", &days); err == nil && fmt.Sprintf("%dd", days) == t && days >= 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration; write it like 90s, 5m, 24h or 7d", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative; a duration must be zero or more", s)
	}
	return d, nil
}

// sensitiveFunc marks any value as sensitive.
var sensitiveFunc = function.New(&function.Spec{
	Description: "Marks a value as sensitive, so that it is never shown.",
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return args[0].Mark(Sensitive), nil
	},
})

// IsSensitive reports whether v or anything inside it is marked sensitive.
func IsSensitive(v cty.Value) bool {
	if v == cty.NilVal {
		return false
	}
	_, pvm := v.UnmarkDeepWithPaths()
	for _, pm := range pvm {
		if _, ok := pm.Marks[Sensitive]; ok {
			return true
		}
	}
	return false
}
