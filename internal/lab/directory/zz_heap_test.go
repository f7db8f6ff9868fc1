package directory

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
)

func TestZZHeap(t *testing.T) {
	runtime.MemProfileRate = 512
	d := newTestDirectory(t)
	for i := range 20000 {
		if _, err := d.AddComputer(Computer{Name: fmt.Sprintf("WS%06d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	f, _ := os.Create("/tmp/heap.out")
	pprof.WriteHeapProfile(f)
	f.Close()
	runtime.KeepAlive(d)
}
