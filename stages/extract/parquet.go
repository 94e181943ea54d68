package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetSource reads a Parquet export through arrow-go's pqarrow. Columns
// of any type are rendered as text (binary as its bytes, the rest with the
// array's ValueStr) and then go through the same rules as CSV values; the
// line of a row is its 1-based row number in the file.
type parquetSource struct {
	rr   pqarrow.RecordReader
	pf   *file.Reader
	hdr  []string
	cur  arrow.RecordBatch
	i    int
	line int64
	vals []string
}

func newParquetSource(f *os.File, path string, mem memory.Allocator) (*parquetSource, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, &FileError{File: path, Err: err}
	}
	// The Parquet reader gets a section of f, not f: it must neither close
	// f nor move its offset, which the Reader still reads from to hash the
	// file once the rows are read.
	pf, err := file.NewParquetReader(io.NewSectionReader(f, 0, info.Size()))
	if err != nil {
		return nil, &FileError{File: path, Err: fmt.Errorf("parquet: %w", err)}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, mem)
	if err != nil {
		pf.Close()
		return nil, &FileError{File: path, Err: fmt.Errorf("parquet: %w", err)}
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		pf.Close()
		return nil, &FileError{File: path, Err: fmt.Errorf("parquet: %w", err)}
	}
	s := &parquetSource{rr: rr, pf: pf}
	for _, fld := range rr.Schema().Fields() {
		if !isScalar(fld.Type) {
			rr.Release()
			pf.Close()
			return nil, &FileError{File: path, Err: fmt.Errorf("parquet column %q has type %s; only scalar columns can be read", fld.Name, fld.Type)}
		}
		s.hdr = append(s.hdr, fld.Name)
	}
	s.vals = make([]string, len(s.hdr))
	return s, nil
}

func isScalar(t arrow.DataType) bool {
	switch t.(type) {
	case arrow.NestedType:
		return false
	}
	return true
}

func (s *parquetSource) header() []string { return s.hdr }

func (s *parquetSource) next() (row, error) {
	for s.cur == nil || s.i >= int(s.cur.NumRows()) {
		if !s.rr.Next() {
			err := s.rr.Err()
			s.close()
			if err != nil && !errors.Is(err, io.EOF) {
				return row{}, fmt.Errorf("parquet: %w", err)
			}
			return row{}, io.EOF
		}
		s.cur, s.i = s.rr.RecordBatch(), 0
	}
	for c, col := range s.cur.Columns() {
		if col.IsNull(s.i) {
			s.vals[c] = ""
			continue
		}
		switch a := col.(type) {
		case *array.String:
			s.vals[c] = a.Value(s.i)
		case *array.Binary:
			// A byte array column without the STRING annotation (older
			// Hive and Impala writers): its bytes are the text, where
			// ValueStr would give base64.
			s.vals[c] = a.ValueString(s.i)
		case *array.LargeBinary:
			s.vals[c] = a.ValueString(s.i)
		default:
			s.vals[c] = col.ValueStr(s.i)
		}
	}
	s.i++
	s.line++
	vals := s.vals
	return row{fields: vals, line: s.line, raw: func() string { return fmt.Sprint(vals) }}, nil
}

func (s *parquetSource) close() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
		s.pf.Close()
	}
}
