-- Keeps the salt ($1) the first erasure drew.
INSERT INTO erasure_salt VALUES ($1)
