-- A pattern matching any of the ids as a whole number, for the raw text of
-- rejects: "(^|[^0-9])(1006|1009)([^0-9]|$)".
SET VARIABLE erase_id_regex = (
    SELECT '(^|[^0-9])(' || string_agg(id::VARCHAR, '|' ORDER BY id) || ')([^0-9]|$)' FROM erase_ids)
