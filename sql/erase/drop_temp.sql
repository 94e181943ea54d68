-- Removes the erasure's temp tables and variables from the connection.
-- Several statements: one cleanup, run when the erasure ends however it
-- ends.
DROP TABLE IF EXISTS erase_ids;
DROP TABLE IF EXISTS erase_emails;
DROP TABLE IF EXISTS erase_lines;
DROP TABLE IF EXISTS erase_found;
RESET VARIABLE erase_id_list;
RESET VARIABLE erase_id_regex;
