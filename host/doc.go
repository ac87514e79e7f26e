// Package host holds the adapters that run the processing engine on a
// general-purpose host: [DirStorage], a process.Storage with one file per
// component in a directory (atomic replacement, a journaled swap and a
// flock-based device lock), and the device identity file ([LoadIdentity],
// [SaveIdentity]). They live apart from package process so that a device
// with its own storage links neither os-backed storage nor encoding/json.
package host
