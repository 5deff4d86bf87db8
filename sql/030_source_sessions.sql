-- Issue 18 item 7: a source's login session kept between runs and processes. Bluesky allows 30
-- createSession calls per 5 minutes and 300 a day per account; `hinoko collect --once` and every
-- restart used to log in again. The session (access and refresh tokens) is a credential: sealed
-- like source_credentials (AES-256-GCM under the server key, bound to organisation and source),
-- never in the cursor or a log.
create table source_sessions (
  org_id     bigint not null,
  source_id  bigint not null,
  -- nonce (12 bytes) || GCM tag (16 bytes) || ciphertext.
  sealed     bytea not null check (length(sealed) between 29 and 65536),
  key_id     text not null,
  updated_at timestamptz not null,
  primary key (org_id, source_id),
  foreign key (org_id, source_id) references sources (org_id, id) on delete cascade
);
