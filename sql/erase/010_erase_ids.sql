-- The Marketo ids to erase, bound as a list ($1); every other erase
-- statement reads them from erase_ids.
CREATE OR REPLACE TEMP TABLE erase_ids AS
SELECT unnest($1::BIGINT[]) AS id
