-- The page query of GET /v1/invitations?status=pending&limit=20, exactly as the server's
-- listInvitations (invitation.repository.ts) compiles it, parameters written in.
-- bench/list.ts checks this text against the server's compiled SQL and says if they differ.
select "id", "email", "public_metadata", "redirect_url", "notify", "allow_duplicate", "template_slug", "expires_at", "accepted_user_id", "created_at", "updated_at", CASE WHEN status = 'pending' AND expires_at <= now() THEN 'expired' ELSE status END as "status" from "invitations" where ("status" = 'pending' and "expires_at" > now()) order by "created_at" desc, "id" desc limit 20 offset 0;
