package plans

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxFileSize is the largest plan file Read accepts.
const MaxFileSize = 256 << 20

// file is a plan as written to disk: the plan and the digest of its
// canonical encoding, so that a hand-edited or damaged plan is refused.
type file struct {
	FormatVersion int             `json:"format_version"`
	Digest        string          `json:"digest"`
	Plan          json.RawMessage `json:"plan"`
}

// Encode returns the canonical JSON encoding of p: json.Marshal's.
func Encode(p *Plan) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeTo(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Digest returns the sha256 of p's canonical encoding.
func Digest(p *Plan) (string, error) { return digestOf(p) }

// Write saves p to path atomically (a temporary file renamed into place).
func Write(path string, p *Plan) error {
	if err := p.check(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".rectify-plan-*")
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeFile(tmp, p); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// ErrTampered is returned for a plan file whose digest does not match its
// content.
var ErrTampered = errors.New("the plan file's content does not match its digest; it was edited or damaged after it was saved")

// VersionError is returned for a plan file of a format this build cannot
// read.
type VersionError struct{ Got int }

func (e *VersionError) Error() string {
	if e.Got > FormatVersion {
		return fmt.Sprintf("the plan file has format version %d, newer than this rectify reads (%d); apply it with the rectify that made it", e.Got, FormatVersion)
	}
	return fmt.Sprintf("the plan file has format version %d, older than this rectify reads (%d); make a new plan with this rectify", e.Got, FormatVersion)
}

// Read loads a plan saved by Write, refusing damaged, tampered and
// newer-format files.
func Read(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	return Decode(io.LimitReader(f, MaxFileSize+1))
}

// Decode reads a plan file from r. It accepts only a plan whose digest
// matches its content and whose content is in the canonical form Encode
// writes, so that an accepted plan encodes, and digests, exactly as it was
// read. A plan without its digests or its salt is refused.
func Decode(r io.Reader) (*Plan, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("read plan: larger than %d bytes", MaxFileSize)
	}
	var f file
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("read plan: not a rectify plan file: %w", err)
	}
	if f.FormatVersion != FormatVersion {
		return nil, &VersionError{Got: f.FormatVersion}
	}
	if f.Digest == "" {
		return nil, ErrNoDigest
	}
	var body bytes.Buffer
	if err := json.Compact(&body, f.Plan); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	if "sha256:"+hex.EncodeToString(sum[:]) != f.Digest {
		return nil, ErrTampered
	}
	var p Plan
	pd := json.NewDecoder(bytes.NewReader(body.Bytes()))
	pd.DisallowUnknownFields()
	if err := pd.Decode(&p); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, &VersionError{Got: p.FormatVersion}
	}
	if again, err := Encode(&p); err != nil || !bytes.Equal(again, body.Bytes()) {
		return nil, ErrNotCanonical
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return &p, nil
}

// ErrNoDigest is returned for a plan file without a digest.
var ErrNoDigest = errors.New("the plan file has no digest; it was not written by rectify plan")

// ErrNotCanonical is returned for a plan file whose digest matches but
// whose content is not as rectify writes it: it was edited and its digest
// recomputed.
var ErrNotCanonical = errors.New("the plan file's content is not as rectify plan writes it; it was edited after it was saved")

// check refuses a plan that lacks what apply verifies it by.
func (p *Plan) check() error {
	if len(p.Salt) != SaltSize {
		return fmt.Errorf("the plan has no salt of %d bytes", SaltSize)
	}
	if p.Playbook.Digest == "" {
		return errors.New("the plan has no playbook digest")
	}
	if p.Inventory.Digest == "" {
		return errors.New("the plan has no inventory digest")
	}
	for _, in := range p.Instances {
		if in.Error == "" && in.Change.Action.Changes() && in.ObservedDigest == "" {
			return fmt.Errorf("the change to %s has no observed-state digest", in.Address)
		}
	}
	return nil
}
