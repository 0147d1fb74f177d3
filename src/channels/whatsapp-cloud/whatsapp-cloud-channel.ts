import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { ReplyingHandler } from '../reply-policy';
import type { ChannelHealth } from '../../http/health';
import { HttpError, readBody, sendBytes } from '../../http/http-io';
import type { Language } from '../../i18n/create-i18n';
import type { ChannelSender } from '../../outbox/channel-sender';
import type { DeliveryStatus } from '../../outbox/outbox-store';
import { chatTag } from '../whatsapp/whatsapp-channel';
import { menuNumberOf } from '../whatsapp/whatsapp-inbound';
import { createWhatsAppMenuStore } from '../whatsapp/whatsapp-menu-store';
import type { CloudApi } from './cloud-api';
import { cloudChatIdOf, cloudToInbound, WHATSAPP_CLOUD_FILE_ID_RE } from './cloud-inbound';
import { CLOUD_WINDOW_MS, createCloudSender, type CloudFile } from './cloud-sender';
import { verifyCloudSignature } from './cloud-signature';
import { createInboundInbox, type InboxItem } from '../inbound-inbox';
import { createInboxDispatcher } from '../inbox-dispatcher';
import { createCloudWindowStore } from './cloud-window-store';
import type { CloudTemplates } from './cloud-templates';
import type { CloudChangeValue, CloudInboundMessage, CloudWebhookPayload } from './cloud-types';
import { safeError } from '../../logger';

/** Where the platform posts webhooks on our HTTP server. */
export const WHATSAPP_CLOUD_WEBHOOK_PATH = '/webhooks/whatsapp';
/** The platform's webhooks are small; anything larger is not one. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** A photo or voice note fetched from the platform for forwarding. */
const MAX_MEDIA_BYTES = 16 * 1024 * 1024;
const LEFTOVER_BATCH = 200;
const DELIVERY_STATUSES = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);
const STATUS_TRIES = 6;
const STATUS_RETRY_MS = 500;

export interface WhatsAppCloudChannelDeps {
  conn: Connection;
  api: CloudApi;
  /** Our business phone number's id: webhooks for another number are ignored. */
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  templates: CloudTemplates;
  /** The shared handler, which records the replies in the outbox (`replyThroughOutbox`), paced and kept like every notice. */
  handler: ReplyingHandler;
  /** Records the platform's delivery reports on outbox messages. */
  deliveryReports: {
    recordDeliveryStatus(
      channel: 'whatsapp',
      platformMessageId: string,
      status: DeliveryStatus,
      at: Date,
      code?: string,
    ): Promise<boolean>;
  };
  /** Bytes of a file another channel received (simulator uploads), for forwarding here. */
  otherFiles?: (fileId: string) => Promise<CloudFile | null>;
  listButtonLabel(language: Language): string;
  clock: Clock;
  logger: Logger;
}

/** The official WhatsApp Business Cloud API channel. */
export interface WhatsAppCloudChannel {
  readonly channel: 'whatsapp';
  /** Register on the outbox. */
  readonly sender: ChannelSender;
  /** The webhook, for the HTTP server at {@link WHATSAPP_CLOUD_WEBHOOK_PATH}. */
  webhook(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** A citizen's photo or voice note by its `wac:` file id, fetched from the platform (for forwarding to Telegram). */
  file(fileId: string): Promise<CloudFile | null>;
  /** `up` once started: the platform pushes to us, there is no connection to lose. */
  status(): ChannelHealth;
  /** Handle whatever webhook messages a previous run accepted but did not finish. */
  start(): Promise<void>;
  /** Stop taking webhooks' work and let messages being handled finish. */
  stop(): Promise<void>;
  /**
   * For the clean-up job, in the shape of the whatsapp-web.js channel's: menus
   * sent before `before.menus` are forgotten, and customer-service windows
   * that have closed (over a day old) always; no files are kept here.
   */
  purgeOlderThan(before: { menus: Date; files: Date }): Promise<{ menus: number; files: number }>;
}

/**
 * The WhatsApp Business Cloud API channel: signed webhooks in, Graph API
 * calls out through the outbox. A webhook is answered 200 as soon as its
 * messages are recorded (a redelivery records nothing new), then handled in
 * arrival order per chat; status callbacks update the outbox records.
 * @example
 * const cloud = await createWhatsAppCloudChannel({ conn, api, phoneNumberId, appSecret, verifyToken, templates, handler, deliveryReports: outbox, listButtonLabel, clock, logger });
 * outbox.registerSender(cloud.sender);
 */
export async function createWhatsAppCloudChannel(deps: WhatsAppCloudChannelDeps): Promise<WhatsAppCloudChannel> {
  const log = deps.logger;
  const [inbox, windows, menus] = await Promise.all([
    createInboundInbox(deps.conn),
    createCloudWindowStore(deps.conn),
    createWhatsAppMenuStore(deps.conn),
  ]);
  const dispatcher = await createInboxDispatcher({
    conn: deps.conn,
    inbox,
    logger: log,
    handle: (item) =>
      handleOne(item).catch((err: unknown) => {
        log.error(
          { event: 'whatsapp_cloud_message_failed', chat: chatTag(item.chatKey), error: safeError(err) },
          'could not handle a WhatsApp message',
        );
      }),
  });
  let running = false;

  async function file(fileId: string): Promise<CloudFile | null> {
    if (!WHATSAPP_CLOUD_FILE_ID_RE.test(fileId)) return (await deps.otherFiles?.(fileId)) ?? null;
    const { bytes, mimeType } = await deps.api.downloadMedia(fileId.slice('wac:'.length), MAX_MEDIA_BYTES);
    return { bytes, mimeType, fileName: `${fileId.slice(4)}.${extensionOf(mimeType)}` };
  }

  const sender = createCloudSender({
    api: deps.api,
    windows,
    menus,
    templates: deps.templates,
    resolveFile: file,
    listButtonLabel: deps.listButtonLabel,
    clock: deps.clock,
    logger: log,
  });

  async function handleOne(item: InboxItem): Promise<void> {
    const msg = JSON.parse(item.json) as CloudInboundMessage;
    const chatId = item.chatKey;
    const now = deps.clock.now();
    await windows.touch(chatId, item.receivedAt);
    const menu =
      msg.type === 'text' && menuNumberOf(String(msg.text?.body ?? '')) !== undefined
        ? await menus.latest(chatId)
        : undefined;
    const inbound = cloudToInbound(msg, {
      receivedAt: now,
      ...(item.extra ? { profileName: item.extra } : {}),
      ...(menu ? { menu } : {}),
    });
    if (inbound) {
      const result = await deps.handler(inbound);
      log.info(
        {
          event: 'whatsapp_cloud_message',
          chat: chatTag(chatId),
          kind: inbound.content.kind,
          duplicate: result.duplicate,
          replies: result.messages.length,
        },
        'WhatsApp message handled',
      );
    }
  }

  /** The messages and statuses of a verified payload meant for our number. */
  function changesOf(payload: CloudWebhookPayload): CloudChangeValue[] {
    if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) return [];
    const out: CloudChangeValue[] = [];
    for (const entry of payload.entry) {
      for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
        const value = change?.value;
        if (change?.field !== 'messages' || !value || typeof value !== 'object') continue;
        if (value.metadata?.phone_number_id !== deps.phoneNumberId) continue;
        out.push(value);
      }
    }
    return out;
  }

  function inboxItemsOf(value: CloudChangeValue, receivedAt: Date): InboxItem[] {
    const names = new Map<string, string>();
    for (const c of Array.isArray(value.contacts) ? value.contacts : [])
      if (c?.wa_id && typeof c.profile?.name === 'string') names.set(c.wa_id, c.profile.name);
    const items: InboxItem[] = [];
    for (const m of Array.isArray(value.messages) ? value.messages : []) {
      const chatId = cloudChatIdOf(m?.from);
      if (!chatId || typeof m.id !== 'string' || m.id === '' || m.id.length > 256) continue;
      const name = names.get(m.from ?? '');
      // WhatsApp stamps messages in whole seconds; the order in the payload breaks ties.
      const seconds = Number(m.timestamp);
      const order = (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : receivedAt.getTime()) + items.length;
      items.push({
        _id: `whatsapp:${m.id}`,
        chatKey: chatId,
        order,
        json: JSON.stringify(m),
        receivedAt,
        ...(name ? { extra: name.slice(0, 128) } : {}),
      });
    }
    return items;
  }

  async function applyStatuses(value: CloudChangeValue): Promise<void> {
    for (const s of Array.isArray(value.statuses) ? value.statuses : []) {
      const status = s?.status as DeliveryStatus;
      if (typeof s?.id !== 'string' || !DELIVERY_STATUSES.has(status)) continue;
      const seconds = Number(s.timestamp);
      const at = Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : deps.clock.now();
      const code = s.errors?.[0]?.code;
      const id = s.id;
      // A report can overtake our own record of the send: look again a few times before giving up on it.
      for (let attempt = 0; attempt < STATUS_TRIES; attempt += 1) {
        const found = await deps.deliveryReports
          .recordDeliveryStatus(
            'whatsapp',
            id,
            status,
            at,
            typeof code === 'number' ? `whatsapp_cloud_${code}` : undefined,
          )
          .catch((err: unknown) => {
            log.warn(
              { event: 'whatsapp_cloud_status_not_saved', error: safeError(err) },
              'delivery report not recorded',
            );
            return false;
          });
        if (found || !running) break;
        await new Promise((r) => setTimeout(r, STATUS_RETRY_MS * (attempt + 1)));
      }
    }
  }

  async function webhook(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET') {
      // The platform's subscription handshake.
      const ok =
        url.searchParams.get('hub.mode') === 'subscribe' &&
        safeEqual(url.searchParams.get('hub.verify_token') ?? '', deps.verifyToken);
      const challenge = url.searchParams.get('hub.challenge') ?? '';
      if (!ok || !/^[0-9A-Za-z_-]{1,128}$/.test(challenge))
        throw new HttpError(403, 'forbidden', 'verification refused');
      return sendBytes(res, 200, challenge, 'text/plain; charset=utf-8');
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use GET or POST');
    const raw = await readBody(req, MAX_WEBHOOK_BYTES);
    const signature = req.headers['x-hub-signature-256'];
    if (signature === undefined) throw new HttpError(401, 'unsigned', 'signature required');
    if (!verifyCloudSignature(raw, signature, deps.appSecret)) {
      log.warn({ event: 'whatsapp_cloud_bad_signature' }, 'webhook with a wrong signature refused');
      throw new HttpError(403, 'bad_signature', 'signature does not match');
    }
    let payload: CloudWebhookPayload;
    try {
      payload = JSON.parse(raw.toString('utf8')) as CloudWebhookPayload;
    } catch {
      throw new HttpError(400, 'bad_json', 'body is not valid JSON');
    }
    const receivedAt = deps.clock.now();
    const changes = changesOf(payload && typeof payload === 'object' ? payload : {});
    // Recorded before the answer: once the platform hears 200 it will not send these again.
    const fresh = await inbox.add(changes.flatMap((v) => inboxItemsOf(v, receivedAt)));
    sendBytes(res, 200, 'ok', 'text/plain; charset=utf-8');
    if (running) for (const chat of new Set(fresh.map((i) => i.chatKey))) dispatcher.submit(chat);
    for (const v of changes) void applyStatuses(v);
  }

  return {
    channel: 'whatsapp',
    sender,
    webhook,
    file,
    status: () => (running ? 'up' : 'off'),
    async start() {
      running = true;
      const chats = await dispatcher.resume('whatsapp:', LEFTOVER_BATCH);
      if (chats) log.info({ event: 'whatsapp_cloud_resume', chats }, 'handling webhook messages left from before');
    },
    async stop() {
      running = false;
      await dispatcher.stop();
    },
    async purgeOlderThan(before) {
      const [, m] = await Promise.all([
        windows.purgeOlderThan(new Date(deps.clock.now().getTime() - CLOUD_WINDOW_MS)),
        menus.purgeOlderThan(before.menus),
      ]);
      return { menus: m, files: 0 };
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function extensionOf(mimeType: string): string {
  if (mimeType.includes('jpeg')) return 'jpg';
  if (mimeType.includes('png')) return 'png';
  if (mimeType.includes('ogg')) return 'ogg';
  if (mimeType.includes('mpeg')) return 'mp3';
  if (mimeType.includes('mp4')) return 'm4a';
  return 'bin';
}
