package ops

import (
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

//go:embed scripts/*.ps1 scripts/lib/*.ps1
var scriptFiles embed.FS

// scriptsDir is the directory of scriptFiles that holds the ops.
const scriptsDir = "scripts"

// markerPattern is the first line of every script.
var markerPattern = regexp.MustCompile(`^# rectify:op ([a-z][a-z0-9_.]*) v([1-9][0-9]*)\r?$`)

// ParseMarker reads the op name and version from a script's first line.
func ParseMarker(text string) (op string, version int, ok bool) {
	first, _, _ := strings.Cut(text, "\n")
	m := markerPattern.FindStringSubmatch(first)
	if m == nil {
		return "", 0, false
	}
	v, err := strconv.Atoi(m[2])
	if err != nil {
		return "", 0, false
	}
	return m[1], v, true
}

var (
	loadOnce sync.Once
	library  map[string]Script
	loadErr  error
)

func load() {
	library, loadErr = loadLibrary(scriptFiles, scriptsDir)
}

// loadLibrary reads the ops of dir in fsys and composes each with the
// helpers it uses (see compose.go).
func loadLibrary(fsys fs.FS, dir string) (map[string]Script, error) {
	helpers, err := readHelpers(fsys, dir)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]Script{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".ps1") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		op, v, ok := ParseMarker(string(b))
		if !ok {
			return nil, fmt.Errorf("script %s does not start with a '# rectify:op <name> v<N>' marker", e.Name())
		}
		if _, dup := out[op]; dup {
			return nil, fmt.Errorf("op %q is defined by two scripts", op)
		}
		text, err := assemble(e.Name(), string(b), helpers)
		if err != nil {
			return nil, err
		}
		out[op] = Script{Op: op, Version: v, Text: text}
	}
	return out, nil
}

// Lookup returns the library's script for op.
func Lookup(op string) (Script, error) {
	loadOnce.Do(load)
	if loadErr != nil {
		return Script{}, fmt.Errorf("load the script library: %w", loadErr)
	}
	s, ok := library[op]
	if !ok {
		return Script{}, fmt.Errorf("no script for op %q", op)
	}
	return s, nil
}

// MustScript is Lookup for ops the program itself names; a missing one is a
// bug caught by the library's tests.
func MustScript(op string) Script {
	s, err := Lookup(op)
	if err != nil {
		panic(err)
	}
	return s
}

// Ops lists the ops in the library, in order.
func Ops() []string {
	loadOnce.Do(load)
	out := make([]string, 0, len(library))
	for op := range library {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// BootstrapCommand returns the command line that starts the bootstrap:
// powershell.exe with the bootstrap script as -EncodedCommand (UTF-16LE,
// base64), as Windows expects it.
func BootstrapCommand() string {
	return "powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " +
		EncodeCommand(MustScript(Bootstrap).Text)
}

// EncodeCommand encodes script text for powershell.exe -EncodedCommand.
func EncodeCommand(text string) string {
	u := utf16.Encode([]rune(text))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeCommand reverses EncodeCommand.
func DecodeCommand(encoded string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("decode -EncodedCommand: %w", err)
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("decode -EncodedCommand: odd number of bytes for UTF-16")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u)), nil
}

// Stdin builds the bootstrap's standard input for one op run: the base64 of
// the JSON arguments on the first line, then the script.
func Stdin(script Script, argsJSON []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(argsJSON)
	out := make([]byte, 0, len(enc)+1+len(script.Text))
	out = append(out, enc...)
	out = append(out, '\n')
	out = append(out, script.Text...)
	return out
}

// ParseStdin splits the bootstrap's standard input into the argument
// document and the script, as the bootstrap does.
func ParseStdin(stdin []byte) (argsJSON []byte, script string, err error) {
	first, rest, ok := strings.Cut(string(stdin), "\n")
	if !ok {
		return nil, "", fmt.Errorf("standard input holds no script")
	}
	a, err := base64.StdEncoding.DecodeString(strings.TrimSpace(first))
	if err != nil {
		return nil, "", fmt.Errorf("the argument line is not base64: %w", err)
	}
	return a, rest, nil
}
