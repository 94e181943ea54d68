-- The ids to erase as one list, for the list functions that filter
-- duplicate_emails.marketo_ids (a lambda cannot hold a subquery).
SET VARIABLE erase_id_list = (SELECT list(id ORDER BY id) FROM erase_ids)
