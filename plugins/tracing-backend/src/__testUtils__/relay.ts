import net from 'node:net';

/**
 * A TCP relay on loopback in front of `targetPort`: `cut()` closes it and
 * drops every open connection (a real outage for the client), `restore()`
 * listens again on the same port.
 */
export async function startTcpRelay(targetPort: number) {
  const sockets = new Set<net.Socket>();
  const relay = (client: net.Socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  };
  let server = net.createServer(relay);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    /** Stops listening and resets every open connection. */
    async cut() {
      const closed = new Promise<void>(r => server.close(() => r()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async restore() {
      server = net.createServer(relay);
      await new Promise<void>(r => server.listen(port, '127.0.0.1', () => r()));
    },
  };
}
