package delta

// Limits bounds what [Apply] accepts from a patch. The zero value (or a
// nil *Limits) is safe: every zero field means its default.
type Limits struct {
	// MaxMemory caps the working memory a patch may ask for
	// (Header.ApplyMemory): decoded streams, compressed buffer and
	// decoder dictionary of one block, plus fixed I/O buffers. Apply
	// never allocates more than this, whatever the patch declares: every
	// decoder is limited by its own stream's declared length (a stream
	// that decodes to more stops there, ErrLimit), and a block by the
	// memory it declares. For BSDIFF40 it must hold three bzip2 decoders
	// (about 11 MB) plus, for ApplyBSDIFF40, the buffered ctrl and diff
	// blocks. Zero (or negative) means DefaultMaxMemory; values above
	// 4 GiB are taken as 4 GiB (a block's lengths then cannot overflow
	// its memory sum, and every decoder accepts the figure).
	MaxMemory int64

	// MaxNewSize caps the size of the new image: a patch that declares a
	// larger one is refused (ErrLimit) before anything is read from the
	// old image or written. When the caller knows the size of the result
	// (a SUIT image-size, the size of the slot it writes to), it should
	// pass that here. Zero (or negative) means DefaultMaxNewSize.
	MaxNewSize int64
}

const (
	// DefaultMaxMemory is the default Limits.MaxMemory. Patches made
	// with the default differ.Options need at most differ.DefaultBlockMemory, which
	// is below it.
	DefaultMaxMemory = 16 << 20
	// DefaultMaxNewSize is the default Limits.MaxNewSize (1 GiB).
	DefaultMaxNewSize = 1 << 30
)

// maxMemoryCeiling is the largest MaxMemory honoured.
const maxMemoryCeiling = 4 << 30

func (l *Limits) maxMemory() int64 {
	if l == nil || l.MaxMemory <= 0 {
		return DefaultMaxMemory
	}
	return min(l.MaxMemory, maxMemoryCeiling)
}

func (l *Limits) maxNewSize() int64 {
	if l == nil || l.MaxNewSize <= 0 {
		return DefaultMaxNewSize
	}
	return l.MaxNewSize
}
