import net from 'node:net';

/**
 * Ask the kernel for a TCP port that is free on `host` right now.
 *
 * The port is released before this resolves, so another process may take it
 * before the caller binds; use it only for servers that cannot bind port 0
 * themselves and report the port back.
 * @example const port = await findFreePort(); // e.g. 41873
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the bound address on ${host}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
