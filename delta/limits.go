package delta

// Limits bounds what [Apply] accepts from a patch. The zero value (or a
// nil *Limits) is safe: every zero field means its default.
type Limits struct {
	// MaxMemory caps the working memory a patch may ask for
	// (Header.ApplyMemory): decoded streams, compressed buffer and
	// decoder dictionary of one block, plus fixed I/O buffers. The
	// applier never allocates more than this for patch data, whatever the
	// patch declares. Zero means DefaultMaxMemory.
	MaxMemory int64

	// MaxNewSize caps the size of the new image. Zero means
	// DefaultMaxNewSize.
	MaxNewSize int64
}

const (
	// DefaultMaxMemory is the default Limits.MaxMemory. Patches made
	// with the default DiffOptions need at most DefaultBlockMemory, which
	// is below it.
	DefaultMaxMemory = 16 << 20
	// DefaultMaxNewSize is the default Limits.MaxNewSize (1 GiB).
	DefaultMaxNewSize = 1 << 30
)

func (l *Limits) maxMemory() int64 {
	if l == nil || l.MaxMemory <= 0 {
		return DefaultMaxMemory
	}
	return l.MaxMemory
}

func (l *Limits) maxNewSize() int64 {
	if l == nil || l.MaxNewSize <= 0 {
		return DefaultMaxNewSize
	}
	return l.MaxNewSize
}
