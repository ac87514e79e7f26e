//go:build !unix

package diffcore

// processCPU is not measured on this platform.
func processCPU() int64 { return 0 }
