-- `actsync status`: the duplicate email groups of the latest run, by size
-- (counts only: no email is printed).
SELECT person_count AS people_per_group, count(*) AS groups, sum(person_count) AS people
FROM duplicate_emails
WHERE run_id = (SELECT max(run_id) FROM runs)
GROUP BY person_count
ORDER BY person_count DESC;
