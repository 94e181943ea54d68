-- Which of the sizes in $1 (bytes) some earlier run's input had: a file of
-- any other size cannot have been read before, whatever its sha256.
SELECT DISTINCT bytes FROM inputs WHERE list_contains($1::BIGINT[], bytes);
