import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './source-runtime.ts';

// The server lifecycle and fault script shared by the X and Meta Graph fakes. Unlike
// faulty-server.ts, these fakes check auth and rate windows BEFORE a fault is picked and answer
// each fault in their own API's words, so the base only decides which fault comes next; the
// subclass serves it.

export interface FaultScriptSettings<Kind extends string> {
  /** Probability that a request gets a random fault from `kinds`. */
  rate: number | undefined;
  seed: number;
  kinds: readonly Kind[];
  /** Path the API lives under (Graph's /v25.0), part of baseUrl. */
  basePath?: string;
}

export abstract class ScriptedFaultServer<Kind extends string> {
  readonly requests: URL[] = [];
  readonly faultsServed: Record<string, number> = {};
  baseUrl = '';
  faultRate: number;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly scripted: Kind[] = [];
  private readonly random: () => number;
  private readonly faultKinds: readonly Kind[];
  private readonly basePath: string;
  private oversized: Buffer | null = null;

  protected constructor(settings: FaultScriptSettings<Kind>) {
    this.random = seededRandom(settings.seed);
    this.faultRate = settings.rate ?? 0;
    this.faultKinds = settings.kinds;
    this.basePath = settings.basePath ?? '';
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.basePath}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }

  /** The next requests get these faults, in order, before any random ones. */
  injectFaults(...kinds: Kind[]): void {
    this.scripted.push(...kinds);
  }

  protected pickFault(): Kind | null {
    const next = this.scripted.shift();
    if (next) return next;
    if (this.faultRate > 0 && this.random() < this.faultRate) {
      return this.faultKinds[Math.floor(this.random() * this.faultKinds.length)] ?? null;
    }
    return null;
  }

  /** 11 MiB, over every client's body cap; allocated once, on first use. */
  protected oversizedBody(): Buffer {
    this.oversized ??= Buffer.alloc(11 * 1024 * 1024, 0x20);
    return this.oversized;
  }
}
