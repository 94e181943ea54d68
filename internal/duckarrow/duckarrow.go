// Package duckarrow hands Arrow record batches to DuckDB in memory, through
// the Arrow C stream interface, on the connection a *sql.Conn holds.
//
// duckdb-go has the same function (Arrow.RegisterView), but only under the
// duckdb_arrow build tag, and actsync must build with a plain `go build`.
// The C function it calls, duckdb_arrow_scan, is in the DuckDB library that
// duckdb-go links in every build, so this package declares it and calls it
// itself. Rows cross without a copy to a file: DuckDB pulls each batch
// through the stream when a statement scans the view.
//
// The one fragile step is finding the C connection inside duckdb-go's
// *duckdb.Conn, an unexported field; connPtr looks it up by name and type
// and fails with an error (never a crash) when a duckdb-go upgrade moves it.
// TestRegisterView catches that on the first test run.
package duckarrow

/*
#include <stdlib.h>
#include <stdint.h>

typedef struct _duckdb_connection { void *internal_ptr; } *duckdb_connection;
typedef struct _duckdb_arrow_stream { void *internal_ptr; } *duckdb_arrow_stream;
typedef enum { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;

// In the DuckDB library duckdb-go links (deprecated in DuckDB's C API
// headers, not removed).
duckdb_state duckdb_arrow_scan(duckdb_connection connection, const char *table_name, duckdb_arrow_stream arrow);

struct ArrowArrayStream {
	void (*get_schema)(void);
	void (*get_next)(void);
	void (*get_last_error)(void);
	void (*release)(void);
	void* private_data;
};

static duckdb_state actsync_arrow_scan(void *conn, const char *name, void *stream) {
	return duckdb_arrow_scan((duckdb_connection)conn, name, (duckdb_arrow_stream)stream);
}
*/
import "C"

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/cdata"
)

// RegisterView makes reader scannable as the temporary view name on conn.
// The view can be scanned once: DuckDB consumes the stream. release must be
// called when the view is no longer needed (after the statements that scan
// it); it drops the stream's reference to reader and frees the C struct,
// but does not drop the view. reader is retained by the stream until
// release.
func RegisterView(ctx context.Context, conn *dbsql.Conn, reader array.RecordReader, name string) (release func(), err error) {
	err = conn.Raw(func(dc any) error {
		ptr, err := connPtr(dc)
		if err != nil {
			return err
		}
		stream := C.calloc(1, C.sizeof_struct_ArrowArrayStream)
		cdata.ExportRecordReader(reader, (*cdata.CArrowArrayStream)(stream))
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		free := func() {
			cdata.ReleaseCArrowArrayStream((*cdata.CArrowArrayStream)(stream))
			C.free(stream)
		}
		if C.actsync_arrow_scan(ptr, cname, stream) != C.DuckDBSuccess {
			free()
			return fmt.Errorf("duckdb_arrow_scan could not register the view %s", name)
		}
		release = free
		return nil
	})
	return release, err
}

// connPtr returns the duckdb_connection inside duckdb-go's driver
// connection: the field conn (a mapping.Connection, a struct holding Ptr).
func connPtr(dc any) (unsafe.Pointer, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("duckarrow: %T is not a duckdb driver connection", dc)
	}
	f := v.Elem().FieldByName("conn")
	if !f.IsValid() || f.Kind() != reflect.Struct {
		return nil, errUnknownConn
	}
	p := f.FieldByName("Ptr")
	if !p.IsValid() || p.Kind() != reflect.UnsafePointer {
		return nil, errUnknownConn
	}
	ptr := unsafe.Pointer(p.Pointer())
	if ptr == nil {
		return nil, errors.New("duckarrow: the duckdb connection is closed")
	}
	return ptr, nil
}

var errUnknownConn = errors.New("duckarrow: duckdb-go's connection layout is not the one this package knows (was duckdb-go upgraded?)")
