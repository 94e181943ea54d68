-- `actsync status`: people by status and reason.
SELECT status, coalesce(status_reason, '') AS reason, count(*) AS people
FROM people
GROUP BY ALL
ORDER BY status, reason;
