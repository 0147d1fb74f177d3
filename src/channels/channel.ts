import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { UserFromGetMe } from 'grammy/types';
import type { CitizenLinker } from '../citizens/citizen-linker';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { ChannelName } from '../core/messages';
import type { ChannelHealth } from '../http/health';
import type { Translator } from '../i18n/create-i18n';
import type { BackoffOptions } from '../outbox/backoff';
import type { ChannelSender } from '../outbox/channel-sender';
import type { Outbox } from '../outbox/outbox';
import type { ConversationStore } from '../storage/conversation-store';
import type { StaffStore } from '../storage/staff-store';
import type { ReplyingHandler, ReplyMode } from './reply-policy';

/** A photo, voice note or upload one channel holds, for forwarding on another platform. */
export interface ChannelFile {
  bytes: Buffer;
  fileName: string;
  mimeType: string;
}

/** An HTTP route a channel serves (its webhook); it checks its own caller. */
export type ChannelRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * One chat platform as the application runs it. Inbound messages go to
 * {@link ChannelContext.handler}, which answers and delivers the replies
 * (src/channels/reply-policy.ts): a channel never sends a reply itself, its
 * `sender` delivers replies and notices alike.
 */
export interface Channel {
  /** The outbox channel it carries; /healthz reports it under this name. */
  readonly name: ChannelName;
  /** Delivers this channel's outbox messages; absent while the channel is off here. */
  readonly sender?: ChannelSender;
  /** Files this channel holds, by file id (another platform's sender forwards them). */
  readonly files?: { owns(fileId: string): boolean; get(fileId: string): Promise<ChannelFile | null> };
  /** Routes it serves on the HTTP server, by exact path (webhooks). */
  readonly routes?: Readonly<Record<string, ChannelRoute>>;
  /** `up`, `down` (configured but not receiving) or `off` (not configured); answered from memory, for /healthz. */
  health(): ChannelHealth;
  /** Begin receiving. Returns soon even when the platform does not answer: that is retried in the background. */
  start(): Promise<void>;
  /** Stop receiving; messages being handled finish first. */
  stop(): Promise<void>;
}

/** What a channel may use of the rest of the application. */
export interface ChannelContext {
  config: Config;
  conn: Connection;
  clock: Clock;
  logger: Logger;
  translator: Translator;
  /** The shared handler, delivering the replies the way the definition's `replies` says. */
  handler: ReplyingHandler;
  outbox: Outbox;
  /** A file any channel holds (looked up when a message is sent, so every channel exists by then). */
  files(fileId: string): Promise<ChannelFile | null>;
  staff: StaffStore;
  conversations: ConversationStore;
  linker: CitizenLinker;
  /** Largest media file a citizen may send, in bytes (MEDIA_MAX_MB). */
  maxMediaBytes: number;
  /** Test settings: a known Telegram bot identity (skips getMe), a shorter start-up back-off. */
  tuning?: { telegramBotInfo?: UserFromGetMe; telegramStartBackoff?: BackoffOptions };
}

/**
 * How a channel is made: one per folder under src/channels/, listed once in
 * CHANNELS (src/channels/channels.ts).
 * @example export const webDefinition: ChannelDefinition<WebPlug> = { id: 'web', carries: 'web', create: async (ctx) => … }
 */
export interface ChannelDefinition<C extends Channel = Channel> {
  /** Unique among the definitions (two may carry the same outbox channel). */
  readonly id: string;
  /** The outbox channel it carries. */
  readonly carries: ChannelName;
  /** How its replies leave (see ReplyMode): at once with its sender, or through the outbox's pacing. */
  readonly replies: ReplyMode;
  /**
   * With no running channel carrying `carries`, its messages fail at once
   * (shown in /failed, a call-back task for callers) instead of waiting for a
   * restart with it switched on.
   */
  readonly failWhenOff?: boolean;
  /** Build it when this deployment configures it (`undefined` when not); receiving begins at `start`. */
  create(ctx: ChannelContext): Promise<C | undefined>;
}
