import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { liveHub, type LiveKind } from './hub.ts';

// The Server-Sent Events stream a page keeps open: `hello` on connect, then one event per change
// in the viewer's organisation (`mentions`, `alert`, `incident`, or `resync` after the database
// came back), and a comment every 15 s so proxies keep the connection. The events carry no data a
// person wrote: the page fetches what the viewer may see.

const HEARTBEAT_MS = 15_000;
/** Open streams per person: a few tabs and a wall screen, not a reconnect storm. */
export const MAX_STREAMS_PER_USER = 5;
const open = new Map<string, number>();

export function liveStream(ctx: AppContext, c: Context, viewer: { orgId: string; userId: string }): Response {
  const key = `${viewer.orgId}:${viewer.userId}`;
  if ((open.get(key) ?? 0) >= MAX_STREAMS_PER_USER) {
    throw new AppError('rate_limited', `ライブ更新の接続が多すぎます（${MAX_STREAMS_PER_USER}件まで）。他のタブを閉じてください。`);
  }
  open.set(key, (open.get(key) ?? 0) + 1);
  c.header('cache-control', 'no-store');
  c.header('x-accel-buffering', 'no');
  return streamSSE(c, async (stream) => {
    const queue: LiveKind[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = liveHub(ctx).subscribe(viewer.orgId, (kind) => {
      if (!queue.includes(kind)) queue.push(kind);
      wake?.();
    });
    const heartbeat = setInterval(() => {
      void stream.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const closed = new Promise<void>((resolve) => {
      stream.onAbort(resolve);
      ctx.shutdown.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: ctx.now().toISOString() }), retry: 5000 });
      for (;;) {
        while (queue.length > 0) await stream.writeSSE({ event: queue.shift()!, data: '{}' });
        const next = new Promise<void>((resolve) => (wake = resolve));
        if ((await Promise.race([next.then(() => 'event' as const), closed.then(() => 'closed' as const)])) === 'closed') break;
      }
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      const n = (open.get(key) ?? 1) - 1;
      if (n <= 0) open.delete(key);
      else open.set(key, n);
    }
  });
}
