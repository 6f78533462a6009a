package images

import "testing"

// DevRuntimeLibs binary-searches the generated table.
func TestDevRuntimeTableSorted(t *testing.T) {
	for i := 1; i < len(devRuntimeTable); i++ {
		if devRuntimeTable[i-1].dev >= devRuntimeTable[i].dev {
			t.Fatalf("devRuntimeTable: %q before %q", devRuntimeTable[i-1].dev, devRuntimeTable[i].dev)
		}
	}
	for _, row := range devRuntimeTable {
		if libs, ok := DevRuntimeLibs(row.dev); !ok || len(libs) == 0 || libs[0] != row.libs[0] {
			t.Errorf("DevRuntimeLibs(%q) = %v, %v", row.dev, libs, ok)
		}
	}
}
