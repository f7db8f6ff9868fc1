package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// recognisable is a secret that would be easy to spot wherever it leaked.
const recognisable = "Sup3r-Secret-Value-7731"

func TestSecretNeverRenders(t *testing.T) {
	s := New(recognisable)
	holder := struct {
		Exported   Value
		unexported Value
		Ptr        *Value
	}{Exported: s, unexported: s, Ptr: &s}

	var outputs []string
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs = append(outputs,
			fmt.Sprintf(format, s), fmt.Sprintf(format, &s), fmt.Sprintf(format, holder), fmt.Sprintf(format, &holder))
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(s), s.String(), s.GoString())
	b, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(b))
	txt, _ := s.MarshalText()
	outputs = append(outputs, string(txt))

	var logBuf bytes.Buffer
	log := zerolog.New(&logBuf)
	log.Info().Object("obj", s).Interface("iface", holder).Stringer("str", s).Any("any", s).Msg("secrets")
	outputs = append(outputs, logBuf.String())
	var slogBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&slogBuf, nil)).Info("secrets", "value", s, "holder", holder)
	slog.New(slog.NewTextHandler(&slogBuf, nil)).Info("secrets", "value", s)
	outputs = append(outputs, slogBuf.String())

	for _, out := range outputs {
		if strings.Contains(out, recognisable) || strings.Contains(out, fmt.Sprintf("%x", recognisable)) {
			t.Errorf("secret rendered: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(s), "(sensitive)") {
		t.Errorf("fmt.Sprint(secret) = %q, want (sensitive)", fmt.Sprint(s))
	}
	if got := s.Reveal(); got != recognisable {
		t.Errorf("Reveal() = %q", got)
	}
	if (Value{}).IsSet() || (Value{}).Reveal() != "" {
		t.Errorf("the zero Secret claims a value")
	}
}
