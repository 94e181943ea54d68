-- How many of the requested people the state holds anywhere.
SELECT count(DISTINCT id) FROM erase_found
