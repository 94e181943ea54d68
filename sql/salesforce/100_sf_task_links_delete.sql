-- Removes the task_links rows this run continues; 110_sf_task_links_insert.sql
-- writes their successors.
DELETE FROM task_links
WHERE rowid IN (SELECT link_a FROM sf_pairs WHERE link_a IS NOT NULL
                UNION SELECT link_s FROM sf_pairs WHERE link_s IS NOT NULL);
