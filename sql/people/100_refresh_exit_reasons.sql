-- An inactive person excluded again for another reason (a queue owner after
-- no owner, or no owner after missing from a full export) takes the new
-- reason: status_reason says why they are out now. Like a side attribute,
-- it is refreshed without a change row. The run's exclusions are newer than
-- the person's last exit (stale ones are gone by now); Merge Leads and
-- Delete Lead are final and keep their reason. $1: run id.
UPDATE people
SET status_reason = x.reason
FROM exclusions x
WHERE x.run_id = $1
  AND people.marketo_id = x.marketo_id
  AND people.status = 'inactive'
  AND people.status_reason IS DISTINCT FROM x.reason
  AND coalesce(people.status_reason, '') NOT IN ('merged', 'deleted_in_marketo');
