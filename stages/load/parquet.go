package load

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// stagingFile streams Arrow batches into a Parquet file that DuckDB then
// reads with read_parquet: how batches reach DuckDB without duckdb-go's
// Arrow API, which needs a build tag. Snappy keeps the file small at little
// CPU cost; DuckDB reads its row groups in parallel.
type stagingFile struct {
	path string
	f    *os.File
	w    *pqarrow.FileWriter
	rows int64
}

func newStagingFile(path string, schema *arrow.Schema) (*stagingFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(128*1024),
	)
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("staging %s: %w", path, err)
	}
	return &stagingFile{path: path, f: f, w: w}, nil
}

// Write appends a batch; it borrows b.
func (s *stagingFile) Write(b arrow.RecordBatch) error {
	s.rows += b.NumRows()
	return s.w.WriteBuffered(b)
}

// Close flushes the footer and syncs the file. Its error matters: a Parquet
// file without its footer is unreadable.
func (s *stagingFile) Close() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Close() // closes s.f too
	s.w = nil
	return err
}
