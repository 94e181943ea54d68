-- $1 run id, $2 started, $3 finished, $4 full, $5..$16 counts, $17 report JSON.
INSERT INTO runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17);
