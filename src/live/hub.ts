import type { AppContext } from '../context.ts';

// One LISTEN per process for the live pages: NOTIFYs from the triggers of sql/020 (any instance's
// commits) reach the subscribers of that organisation only. postgres.js listens again by itself
// after a lost connection; the subscribers are told (`resync`) so a page refetches what it missed.

export type LiveKind = 'mentions' | 'alert' | 'incident' | 'resync';
type Listener = (kind: LiveKind) => void;

export const LIVE_CHANNEL = 'hinoko_live';

export class LiveHub {
  private readonly byOrg = new Map<string, Set<Listener>>();
  private listening: Promise<{ unlisten(): Promise<void> }> | null = null;
  private connectedBefore = false;

  constructor(private readonly ctx: Pick<AppContext, 'sql' | 'log'>) {}

  /** Calls `fn` for every change in `orgId` until the returned function is called. */
  subscribe(orgId: string, fn: Listener): () => void {
    this.listening ??= this.ctx.sql.listen(
      LIVE_CHANNEL,
      (payload) => this.deliver(payload),
      // After a reconnect: anything may have happened while the connection was down.
      () => {
        if (this.connectedBefore) this.broadcast('resync');
        this.connectedBefore = true;
      },
    );
    this.listening.catch((err: unknown) => this.ctx.log.warn({ err }, 'live updates: LISTEN failed; pages fall back to reloading'));
    let set = this.byOrg.get(orgId);
    if (!set) this.byOrg.set(orgId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.byOrg.delete(orgId);
    };
  }

  private deliver(payload: string): void {
    let message: { o?: unknown; k?: unknown };
    try {
      message = JSON.parse(payload) as { o?: unknown; k?: unknown };
    } catch {
      return;
    }
    if (typeof message.o !== 'string' || (message.k !== 'mentions' && message.k !== 'alert' && message.k !== 'incident')) return;
    for (const fn of this.byOrg.get(message.o) ?? []) fn(message.k);
  }

  private broadcast(kind: LiveKind): void {
    for (const set of this.byOrg.values()) for (const fn of set) fn(kind);
  }
}

const hubs = new WeakMap<object, LiveHub>();

/** The process's hub for this database pool. */
export function liveHub(ctx: Pick<AppContext, 'sql' | 'log'>): LiveHub {
  let hub = hubs.get(ctx.sql);
  if (!hub) hubs.set(ctx.sql, (hub = new LiveHub(ctx)));
  return hub;
}
