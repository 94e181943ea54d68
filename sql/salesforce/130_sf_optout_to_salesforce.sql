-- HasOptedOutOfEmail = true for the Salesforce record (contact, else lead)
-- of every person opted out on a two-way side, unless the Salesforce export
-- already shows it opted out or an earlier run already asked for it
-- (optout_state). Marketo's own unsubscribes are not written here: they
-- reach Salesforce through Marketo's CRM sync, and sf_counts.sql counts the
-- ones not there yet.
-- $1: run id.
INSERT INTO optout_changes_to_salesforce
SELECT $1, o.marketo_id, o.sobject, o.record_id, true, o.sources
FROM sf_optouts o
WHERE o.record_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sf_sf_optout r WHERE r.id = o.record_id AND r.opted_out)
  AND NOT EXISTS (SELECT 1 FROM optout_state s WHERE s.side = 'salesforce' AND s.record_id = o.record_id);
