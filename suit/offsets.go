package suit

// CommandOffsets returns, for each command of s, the byte offset of its
// command id within s.Raw (the content of the sequence's bstr): what a
// SUIT_Record's section-offset counts (draft-ietf-suit-report). It returns
// nil when s was built in code (no Raw) or Raw does not hold len(s.Commands)
// commands.
func (s *CommandSequence) CommandOffsets() []int {
	if s == nil || s.Raw == nil {
		return nil
	}
	l := (*Limits)(nil).resolve()
	d := newDec(s.Raw, 0, &l)
	n, err := d.array(2*l.commands, "command sequence")
	if err != nil || n != 2*len(s.Commands) {
		return nil
	}
	out := make([]int, len(s.Commands))
	for i := range out {
		out[i] = d.off
		if _, err := d.skip(1); err != nil {
			return nil
		}
		if _, err := d.skip(1); err != nil {
			return nil
		}
	}
	return out
}
