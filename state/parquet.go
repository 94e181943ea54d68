package state

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// StagingFile streams Arrow batches into a Parquet file that DuckDB then
// reads with read_parquet: how batches reach DuckDB without duckdb-go's
// Arrow API, which needs a build tag. Snappy keeps the file small at little
// CPU cost; DuckDB reads its row groups in parallel. Dictionaries are on by
// default (DuckDB materialises dictionary-encoded strings about twice as
// fast); callers pass extra writer properties to change that per column.
// Close must be called and its error checked: it writes the footer.
type StagingFile struct {
	path string
	w    *pqarrow.FileWriter
}

// NewStagingFile creates path (owner-only; it must not exist) for batches
// of schema.
func NewStagingFile(path string, schema *arrow.Schema, props ...parquet.WriterProperty) (*StagingFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	props = append([]parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(128 * 1024),
	}, props...)
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(props...), pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("staging %s: %w", path, err)
	}
	return &StagingFile{path: path, w: w}, nil
}

// Write appends a batch; it borrows b.
func (s *StagingFile) Write(b arrow.RecordBatch) error { return s.w.WriteBuffered(b) }

// Close writes the footer and closes the file. Its error matters: a Parquet
// file without its footer is unreadable. Closing twice is a no-op.
func (s *StagingFile) Close() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Close() // closes the file too
	s.w = nil
	return err
}
