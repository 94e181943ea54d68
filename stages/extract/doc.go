// Package extract is the first stage of a people run: it reads each export
// (CSV, TSV, JSON Lines or a JSON document, Parquet; gzip by its magic
// bytes) into Arrow batches of pipeline.RawSchema, with the source file and
// line of every row, and sends row problems to the ledger as rejects.
//
// # The CSV family
//
// Every CSV/TSV reader of actsync (people here, activities and the
// Salesforce/Sales Insight Actions inputs under reconcile/) reads records
// through this package, so that line numbers, raw text for rejects, BOM,
// CRLF and gzip handling, and the parallel parse of big files are written
// once:
//
//   - OpenText opens a file: gzip detection, and the sha256 and size of the
//     raw file measured as it is read.
//   - A record reader gives CSVRecords: the fields, the physical line the
//     record starts on, its raw text, and Err (a *csv.ParseError with the
//     file's lines) for a record that cannot be parsed. There are two
//     dialects because the readers' contracts differ. CSVReader is strict,
//     encoding/csv underneath: a bare or stray quote is a malformed row
//     with encoding/csv's words, as the people and Salesforce rejects have
//     always been. CSVScanner is lax about quotes inside unquoted fields,
//     which Marketo's legacy activity files (an unquoted JSON array in the
//     attributes column) need, allocates nothing per record and gives each
//     field's extent in the raw text.
//   - Splitter cuts a big file, after its header, into 4 MiB blocks at
//     record boundaries and has them parsed concurrently, handing them back
//     in input order; a block its parser is not sure of (a record error,
//     which a cut inside a quoted field causes) switches the rest of the
//     file to the sequential parser, so a stray quote costs speed, never
//     correctness. Each consumer brings its parse function and its reject
//     type: what a record becomes (the Arrow row, the rejects) stays with
//     the consumer.
//
// # Batches and ownership
//
// A Reader is an array.RecordReader: the batch returned by RecordBatch is
// owned by the reader and valid until the next call to Next. Release the
// reader when done; it stops any goroutines a parallel read started.
package extract
