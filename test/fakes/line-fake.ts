import { createHmac, randomBytes } from 'node:crypto';

// Stands in for the LINE Platform, which pushes to us: builds webhook deliveries shaped like
// line/webhook.yml (Messaging API), signs them with the channel secret like LINE does, and can
// redeliver (same webhookEventId, deliveryContext.isRedelivery = true) or send them to a URL.

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function fakeUlid(timeMs: number): string {
  let t = timeMs;
  let time = '';
  for (let i = 0; i < 10; i += 1) {
    time = crockford[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (const b of randomBytes(16)) rand += crockford[b % 32]!;
  return time + rand;
}

export interface LineDelivery {
  body: string;
  headers: Record<string, string>;
}

export class LineFake {
  private seq = 0;

  /**
   * x-line-signature as the contract defines it (base64 HMAC-SHA256 of the raw body, keyed by the
   * channel secret), computed here — never by the code under test.
   */
  static sign(channelSecret: string, body: string | Buffer): string {
    return createHmac('sha256', channelSecret).update(body).digest('base64');
  }

  constructor(
    readonly channelSecret = 'line-test-secret',
    readonly destination = `U${'0123456789abcdef'.repeat(2)}`,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private base(type: string, userId: string): Record<string, unknown> {
    const timestamp = this.now().getTime();
    return {
      type,
      mode: 'active',
      timestamp,
      source: { type: 'user', userId },
      webhookEventId: fakeUlid(timestamp),
      deliveryContext: { isRedelivery: false },
    };
  }

  textMessage(userId: string, text: string, extra: { quotedMessageId?: string } = {}): Record<string, unknown> {
    this.seq += 1;
    return {
      ...this.base('message', userId),
      replyToken: randomBytes(16).toString('hex'),
      message: {
        id: String(500_000_000_000_000 + this.seq),
        type: 'text',
        text,
        quoteToken: randomBytes(12).toString('base64url'),
        markAsReadToken: 'mark-read-token',
        ...extra,
      },
    };
  }

  sticker(userId: string): Record<string, unknown> {
    this.seq += 1;
    return {
      ...this.base('message', userId),
      replyToken: randomBytes(16).toString('hex'),
      message: {
        id: String(500_000_000_000_000 + this.seq),
        type: 'sticker',
        packageId: '446',
        stickerId: '1988',
        stickerResourceType: 'STATIC',
        quoteToken: 'q',
      },
    };
  }

  unsend(userId: string, messageId: string): Record<string, unknown> {
    return { ...this.base('unsend', userId), unsend: { messageId } };
  }

  follow(userId: string): Record<string, unknown> {
    return { ...this.base('follow', userId), replyToken: randomBytes(16).toString('hex'), follow: { isUnblocked: false } };
  }

  unfollow(userId: string): Record<string, unknown> {
    return this.base('unfollow', userId);
  }

  /** The same events as LINE sends them again after a failed delivery. */
  redelivery(events: Record<string, unknown>[]): Record<string, unknown>[] {
    return events.map((e) => ({ ...e, deliveryContext: { isRedelivery: true } }));
  }

  delivery(events: Record<string, unknown>[], options: { secret?: string; destination?: string } = {}): LineDelivery {
    const body = JSON.stringify({ destination: options.destination ?? this.destination, events });
    return {
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-line-signature': LineFake.sign(options.secret ?? this.channelSecret, body),
        'user-agent': 'LineBotWebhook/2.0',
      },
    };
  }

  /** POSTs a delivery to a webhook URL, as the platform would. */
  async send(url: string, delivery: LineDelivery): Promise<Response> {
    return fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  }
}
