// Package pipeline holds the contract between actsync's stages and the
// runner that wires them:
//
//	extract ─▶ filter ─▶ map ─▶ dedupe-report ─▶ load ─▶ reconcile
//
// # Batches and ownership
//
// Stages pass Arrow record batches, never one Go value per row. The rule is
// the one arrow-go's compute package follows: a stage borrows the batch it
// is given and returns a new reference that the caller must Release. A stage
// that passes its input through unchanged calls Retain first; a stage that
// keeps a batch past the call (filter, which cannot judge a row before it has
// seen every row of the run) Retains it and releases it in Finish or Close,
// or copies it out of memory (filter's spill file) and retains nothing.
// Finish streams: it hands each outgoing batch to a callback that borrows
// it, like Process's input, and releases it when the callback returns.
// On error a stage releases anything it built and returns nil.
//
// # Where rows go
//
// Every input row ends in exactly one place, and the run report proves it:
//
//	read = synced + excluded + rejected + superseded
//
// Rejects (a row or a single field that could not be used) are written to
// the run's Ledger with file, line, reason and the raw value; exclusions are
// batches of their own built by filter. Nothing is dropped silently.
package pipeline
