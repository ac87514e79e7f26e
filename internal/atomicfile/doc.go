// Package atomicfile replaces files so that, after a crash or power loss at
// any point, a file holds either its previous content or all of its new
// content, never a mix or a truncated prefix.
//
// Every write follows the same steps: the new content goes to a temporary
// file in the target's directory, which is fsynced, closed and renamed over
// the target (or hard-linked to it, for [Options.NoReplace]); the directory
// is then fsynced so that the rename itself is durable. On any error the
// temporary file is removed.
//
// # Limits
//
// A process killed between creating and renaming the temporary file leaves
// it behind; its name starts with [TempPrefix] (or [Options.TempPrefix]) so
// that the caller can recognise and remove it. Directory fsync is a no-op
// on systems that cannot open directories for it.
package atomicfile
