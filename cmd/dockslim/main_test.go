package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xeipuuv/gojsonschema"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dockslim": func() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scenarios in testdata/script: every flag, every
// exit code, real files on disk.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"verified-sarif": verifiedSARIF,
	}})
}

// verifiedSARIF FILE checks a log of fix --verify --format sarif: valid
// against the OASIS schema, every result carries its proof, and a dropped
// fix has no SARIF fix (its edits are not in the output).
func verifiedSARIF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: verified-sarif FILE")
	}
	schema, err := filepath.Abs("../../internal/report/testdata/sarif-schema-2.1.0.json")
	ts.Check(err)
	out := ts.ReadFile(args[0])
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+filepath.ToSlash(schema)), gojsonschema.NewStringLoader(out))
	ts.Check(err)
	if !res.Valid() {
		ts.Fatalf("invalid SARIF: %v", res.Errors())
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string `json:"ruleId"`
				Fixes      []any  `json:"fixes"`
				Properties struct {
					Verification *struct {
						Kept bool `json:"kept"`
					} `json:"verification"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	ts.Check(json.Unmarshal([]byte(out), &log))
	for _, r := range log.Runs[0].Results {
		switch v := r.Properties.Verification; {
		case v == nil:
			ts.Fatalf("%s: no proof", r.RuleID)
		case !v.Kept && len(r.Fixes) > 0:
			ts.Fatalf("%s: dropped, yet a SARIF fix", r.RuleID)
		}
	}
}
