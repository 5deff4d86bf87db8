-- Source credentials per organisation (issue 11 item 1). Until now a source's config named an
-- environment variable of the server for each credential, so any organisation's admin could name
-- another tenant's variable (or PATH) and have it sent to a host of their choosing. Credentials are
-- now entered per source, write-only, and stored here encrypted with AES-256-GCM under a key
-- derived from the server secret (src/secrets/server-keys.ts), which this database never holds.
-- The associated data binds each ciphertext to its organisation, source and slot, so a row copied
-- to another source does not decrypt.

create table source_credentials (
  org_id      bigint not null,
  source_id   bigint not null,
  -- The slot the source type declares, e.g. 'bearerToken', 'appPassword' (src/sources/*/index.ts).
  name        text not null check (name ~ '^[a-z][A-Za-z0-9]{0,63}$'),
  -- nonce (12 bytes) || GCM tag (16 bytes) || ciphertext.
  sealed      bytea not null check (length(sealed) between 29 and 16384),
  -- Which key sealed it (a hash of the key, not the key): a changed server secret is named in the
  -- error instead of failing as a forgery.
  key_id      text not null,
  updated_at  timestamptz not null default now(),
  primary key (org_id, source_id, name),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);
