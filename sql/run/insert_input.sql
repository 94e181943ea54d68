-- $1 run id, $2 file index, $3 path, $4 format, $5 sha256, $6 bytes, $7 rows.
INSERT INTO inputs VALUES ($1, $2, $3, $4, $5, $6, $7);
