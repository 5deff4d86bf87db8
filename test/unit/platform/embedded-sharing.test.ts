import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decideOpen,
  decideRelease,
  liveClients,
  registerClient,
  thisProcess,
  withServerLock,
  type OpenState,
  type ServerRecord,
} from '../../../src/db/embedded-sharing.ts';

const record: ServerRecord = {
  version: 1,
  port: 5555,
  passwordFile: '/d/pg-password',
  appPasswordFile: '/d/pg-app-password',
  ownerPid: 100,
  ownerStart: '1',
  postmasterPid: 200,
  startedAt: '2026-11-20T00:00:00Z',
};
const state = (s: Partial<OpenState>): OpenState => ({ record, postmasterPid: 200, ownerAlive: true, answers: true, liveClients: 0, ...s });

/** A pid that surely belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('sharing the embedded Postgres of a data directory', () => {
  it("attaches to a live owner's server and never stops a server another live process uses", () => {
    expect(decideOpen(state({}))).toBe('attach');
    expect(decideOpen(state({ answers: false }))).toBe('wait');
    // Owner dead: an orphan is stopped only when nobody else uses it; otherwise it is adopted.
    expect(decideOpen(state({ ownerAlive: false }))).toBe('stop-orphan');
    expect(decideOpen(state({ ownerAlive: false, liveClients: 2 }))).toBe('adopt');
    expect(decideOpen(state({ ownerAlive: false, liveClients: 1, answers: false }))).toBe('wait');
  });

  it('starts a server when none holds the directory, and leaves alone one it has no record of', () => {
    expect(decideOpen(state({ postmasterPid: null }))).toBe('start');
    expect(decideOpen(state({ record: null, postmasterPid: null }))).toBe('start');
    expect(decideOpen(state({ record: null }))).toBe('foreign');
    expect(decideOpen(state({ postmasterPid: 999, ownerAlive: false }))).toBe('foreign');
  });

  it('stops the server at the end only from its owner, and hands it over while others use it', () => {
    const other = { pid: 300, start: '9' };
    expect(decideRelease({ isOwner: true, others: [] })).toEqual({ kind: 'stop' });
    expect(decideRelease({ isOwner: true, others: [other] })).toEqual({ kind: 'hand-over', to: other });
    expect(decideRelease({ isOwner: false, others: [] })).toEqual({ kind: 'detach' });
  });

  it('counts only live attached processes, forgetting dead ones', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-clients-'));
    const me = thisProcess();
    registerClient(dir, { pid: deadPid(), start: null });
    registerClient(dir, me);
    expect(liveClients(dir, { pid: 1, start: null })).toEqual([me]);
    expect(liveClients(dir, me)).toEqual([]);
  });

  it('breaks a lock whose holder died, and releases its own', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hinoko-lock-'));
    const lock = path.join(dir, 'pg-server.lock');
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), start: null }));
    const seen = await withServerLock(dir, async () => JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }, 5_000);
    expect(seen.pid).toBe(process.pid);
    expect(existsSync(lock)).toBe(false);
  });
});
