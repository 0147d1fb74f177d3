import type { Channel, ChannelDefinition } from '../channel';
import { createWebChannel, type WebChannel } from './web-channel';
import { MAX_STORED_FILE_BYTES, WEB_FILE_ID_RE } from './web-file-store';
import { loadPlaces } from './web-places';

/** The web simulator's chat as a registered channel; `web` is what the HTTP server's simulator routes use. */
export interface WebEntry extends Channel {
  readonly web: WebChannel;
}

/** The web chat (the simulator's page) is always there: it answers on the HTTP server's simulator routes. */
export const webDefinition: ChannelDefinition<WebEntry> = {
  id: 'web',
  carries: 'web',
  replies: 'direct',
  async create(ctx) {
    const web = await createWebChannel({
      conn: ctx.conn,
      handler: ctx.handler,
      clock: ctx.clock,
      logger: ctx.logger.child({ channel: 'web' }),
      places: loadPlaces(ctx.config.flowsDirAbs),
      maxUploadBytes: Math.min(ctx.maxMediaBytes, MAX_STORED_FILE_BYTES),
    });
    return {
      name: 'web',
      web,
      sender: web.sender,
      files: { owns: (fileId) => WEB_FILE_ID_RE.test(fileId), get: (fileId) => web.file(fileId) },
      health: () => 'up',
      start: async () => undefined,
      stop: async () => undefined,
    };
  },
};
