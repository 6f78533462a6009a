package parser

import (
	"fmt"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	p := os.Getenv("DUMP")
	if p == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(p)
	f, err := Load(p, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.Instructions {
		fmt.Printf("%d-%d %s/%s flags=%v args=%q json=%v %v\n", in.StartLine, in.EndLine, in.Keyword, in.Sub, in.Flags, in.ArgsText(f), in.JSON, in.JSONArgs)
		if in.Script != nil {
			fmt.Printf("   script err=%v text=%q\n", in.Script.Err, in.Script.Text)
		}
		for _, h := range in.HeredocScripts {
			fmt.Printf("   hd err=%v text=%q\n", h.Err, h.Text)
		}
		for _, c := range in.Comments {
			fmt.Printf("   # %q\n", c.Text)
		}
	}
	for _, st := range f.Stages {
		fmt.Printf("stage %d %q %+v\n", st.Index, st.Name, st.Base)
	}
}
