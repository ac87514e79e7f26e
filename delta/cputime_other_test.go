//go:build !unix

package delta

// processCPU is not measured on this platform.
func processCPU() int64 { return 0 }
