package plans

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeIsJSONMarshal checks that the plan's encoding, made one
// instance at a time, is json.Marshal's, the canonical form plan files
// and digests were always made of, including where a value could be taken
// for the place of the instances.
func TestEncodeIsJSONMarshal(t *testing.T) {
	sample := samplePlan(t)
	empty := samplePlan(t)
	empty.Instances = nil
	decoy := samplePlan(t)
	decoy.Variables = []Variable{{Name: "v", Value: json.RawMessage(`{"instances":[],"s":"\"instances\":[]"}`)}}
	decoy.Instances = append(decoy.Instances, decoy.Instances[0])
	decoy.Instances[1].Address = Address("smtp", "ex02")
	decoy.Undo = &UndoOf{Run: 7, Addresses: []string{`"instances":[]`}}
	for name, p := range map[string]*Plan{"sample": sample, "no instances": empty, "decoys": decoy} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Encode(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Encode (-json.Marshal +Encode):\n%s", diff)
			}
		})
	}
}

// TestIndenterIsJSONIndent checks the streamed indentation against
// json.Indent, whole and a byte at a time.
func TestIndenterIsJSONIndent(t *testing.T) {
	plan, err := json.Marshal(samplePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{
		string(plan),
		`{}`, `[]`, `{"a":[],"b":{},"c":[{}],"d":[[]]}`,
		`{"s":"a \"quoted\" {[,:]} \\ back\\\\","t":"\\"}`,
		`[1,-2.5e3,true,false,null,"é\u2028"]`,
		"{ \"spaced\" : [ 1 , 2 ] }",
	}
	for _, doc := range docs {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(doc), "  ", "  "); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		for _, step := range []int{len(doc), 1, 7} {
			var got bytes.Buffer
			bw := bufio.NewWriter(&got)
			d := &indenter{w: bw, prefix: "  ", indent: "  "}
			for i := 0; i < len(doc); i += step {
				d.Write([]byte(doc[i:min(i+step, len(doc))]))
			}
			bw.Flush()
			if diff := cmp.Diff(want.String(), got.String()); diff != "" {
				t.Errorf("%.40s, written %d bytes at a time (-json.Indent +indenter):\n%s", doc, step, diff)
			}
		}
	}
}
