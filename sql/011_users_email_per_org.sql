-- Issue 11 item 6: an e-mail was unique across the platform, so an organisation's admin creating a
-- user learnt from a 409 that the address belonged to someone in another organisation. It is now
-- unique per organisation; one person may hold accounts in two. Login by e-mail alone checks the
-- password against that e-mail's accounts (src/auth/login.ts) and asks for the organisation only
-- when the same password opens more than one.

drop index users_email_idx;
-- Serves createUser's conflict check (one spelling of a mailbox per organisation).
create unique index users_org_email_idx on users (org_id, lower(email));
-- Serves login by e-mail.
create index users_email_idx on users (lower(email));
