package parser

import (
	"reflect"
	"testing"
)

func TestEnvPairs(t *testing.T) {
	f, err := Load("Dockerfile", []byte("FROM a\nENV A=1 B=\"2 3\" \\\n  C=$A/x\nENV D e f\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := [][][2]string{f.Instructions[1].EnvPairs(), f.Instructions[2].EnvPairs()}
	want := [][][2]string{{{"A", "1"}, {"B", "2 3"}, {"C", "$A/x"}}, {{"D", "e f"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EnvPairs = %q, want %q", got, want)
	}
}
