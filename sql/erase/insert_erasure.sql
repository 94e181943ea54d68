-- Records one erasure: when ($1), how many ids were requested ($2), the
-- salted hash of each id ($3), the table rows and snapshot files changed
-- ($4, $5).
INSERT INTO erasures VALUES ($1, $2, $3::VARCHAR[], $4, $5)
