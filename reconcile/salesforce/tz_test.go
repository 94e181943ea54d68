package salesforce

import (
	dbsql "database/sql"
	"testing"
	"time"
)

// TestUTCParameter: the as-of and since times reach the SQL as the same UTC
// TIMESTAMP whatever the process's time zone (run it with TZ=Asia/Tokyo).
func TestUTCParameter(t *testing.T) {
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tokyo := time.FixedZone("JST", 9*3600)
	var got string
	at := time.Date(2026, 11, 20, 21, 0, 0, 0, tokyo)
	if err := db.QueryRow("SELECT CAST($1::TIMESTAMP AS VARCHAR)", utc(at)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "2026-11-20 12:00:00" {
		t.Errorf("as-of %v reaches SQL as %s, want 2026-11-20 12:00:00", at, got)
	}
}
