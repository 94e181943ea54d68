-- $1 run id, $2 how many: the JSON reports of run $1 and the runs before it, newest first.
SELECT report FROM runs WHERE run_id <= $1 ORDER BY run_id DESC LIMIT $2;
