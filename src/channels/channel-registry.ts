import type { ChannelName } from '../core/messages';
import type { ChannelHealth, HealthCheck } from '../http/health';
import { createUnavailableSender } from '../outbox/unavailable-sender';
import type { Channel, ChannelContext, ChannelDefinition, ChannelFile, ChannelRoute } from './channel';
import type { ReplyingHandler, ReplyMode } from './reply-policy';

/** The channels this deployment runs, made from their definitions. */
export interface ChannelRegistry {
  /** The channel made from `definition`; undefined when it is not configured here. */
  get<C extends Channel>(definition: ChannelDefinition<C>): C | undefined;
  /** A file any channel holds, by file id; null when none owns it or it is gone. */
  file(fileId: string): Promise<ChannelFile | null>;
  /** One /healthz check per outbox channel a definition carries (`off` when none runs). */
  readonly healthChecks: Readonly<Record<string, HealthCheck>>;
  /** Every channel's HTTP routes, by path. */
  readonly routes: Readonly<Record<string, ChannelRoute>>;
  /** Start each channel, in the order of the definitions. */
  startAll(): Promise<void>;
  /** Stop each channel, in reverse order. */
  stopAll(): Promise<void>;
}

/**
 * Make every configured channel from its definition, in order, and connect it:
 * its sender to the outbox, its files to the others' senders, its routes and
 * health to the HTTP server. An outbox channel that a `failWhenOff`
 * definition carries and nothing runs gets the unavailable sender.
 * @example const channels = await createChannelRegistry(CHANNELS, ctx); await channels.startAll()
 */
export async function createChannelRegistry(
  definitions: readonly ChannelDefinition[],
  ctx: Omit<ChannelContext, 'files' | 'handler'> & { replies: Record<ReplyMode, ReplyingHandler> },
): Promise<ChannelRegistry> {
  const made = new Map<string, Channel>();
  const all = (): Channel[] => [...made.values()];
  async function file(fileId: string): Promise<ChannelFile | null> {
    const owner = all().find((c) => c.files?.owns(fileId));
    return owner?.files ? owner.files.get(fileId) : null;
  }
  const { replies, ...shared } = ctx;
  const ids = new Set<string>();
  for (const def of definitions) {
    if (ids.has(def.id)) throw new Error(`channel definition ${def.id} is listed twice`);
    ids.add(def.id);
    const channel = await def.create({ ...shared, files: file, handler: replies[def.replies] });
    if (!channel) continue;
    made.set(def.id, channel);
    if (channel.sender) ctx.outbox.registerSender(channel.sender);
  }

  const carried = [...new Set(definitions.map((d) => d.carries))];
  const carriers = (name: ChannelName) => all().filter((c) => c.name === name);
  for (const name of carried) {
    const failWhenOff = definitions.some((d) => d.carries === name && d.failWhenOff);
    if (failWhenOff && !carriers(name).some((c) => c.sender)) ctx.outbox.registerSender(createUnavailableSender(name));
  }

  const healthChecks: Record<string, HealthCheck> = {};
  for (const name of carried) healthChecks[name] = () => mergeHealth(carriers(name).map((c) => c.health()));

  const routes: Record<string, ChannelRoute> = {};
  for (const [id, channel] of made) {
    for (const [path, route] of Object.entries(channel.routes ?? {})) {
      if (routes[path]) throw new Error(`channel ${id} serves ${path}, which another channel serves already`);
      routes[path] = route;
    }
  }

  return {
    get: <C extends Channel>(definition: ChannelDefinition<C>) => made.get(definition.id) as C | undefined,
    file,
    healthChecks,
    routes,
    async startAll() {
      for (const channel of all()) await channel.start();
    },
    async stopAll() {
      for (const channel of all().reverse()) await channel.stop();
    },
  };
}

/** Several channels carrying one outbox channel: down if one is down, up if one is up, else off. */
function mergeHealth(states: ChannelHealth[]): ChannelHealth {
  if (states.includes('down')) return 'down';
  return states.includes('up') ? 'up' : 'off';
}
