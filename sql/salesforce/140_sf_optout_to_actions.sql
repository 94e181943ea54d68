-- Unsubscribed in SIA for every person opted out in Salesforce (lead or
-- contact) and not in the SIA unsubscribe export, unless an earlier run
-- already asked for it (optout_state). Nothing goes back to Marketo (R8).
-- $1: run id.
INSERT INTO optout_changes_to_actions
SELECT $1, o.marketo_id, true, o.sources
FROM sf_optouts o
WHERE NOT list_contains(o.sources, 'actions')
  AND NOT EXISTS (SELECT 1 FROM optout_state s WHERE s.side = 'actions' AND s.marketo_id = o.marketo_id);
