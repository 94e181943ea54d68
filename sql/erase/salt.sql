-- The state's erasure salt; no row before the first erasure.
SELECT salt FROM erasure_salt
