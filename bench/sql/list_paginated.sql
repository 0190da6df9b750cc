-- What GET /v1/invitations?status=pending&limit=20&paginated=true asks of the database: the page
-- query, then the total_count queries of countInvitations (invitation.repository.ts): the
-- trigger-kept per-status counters, and the pending rows past expiry to subtract from them.
-- The server sends the count queries on other pooled connections at the same time, pgbench runs
-- them one after the other. bench/list.ts checks this text against the server's compiled SQL.
select "id", "email", "public_metadata", "redirect_url", "notify", "allow_duplicate", "template_slug", "expires_at", "accepted_user_id", "created_at", "updated_at", CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END as "status" from "invitations" where ("status" = 'pending' and "expires_at" > now()) order by "created_at" desc, "id" desc limit 20 offset 0;
select "status", sum("n") as "n" from "invitation_counts" group by "status";
select count(*) as "n" from "invitations" where "status" = 'pending' and "expires_at" <= now();
