// A round-robin TCP balancer in front of the API processes (`npm run cluster`).
//
// Why not Node's cluster module: each API process keeps its own port here, so Prometheus
// scrapes every process's /metrics separately (with cluster workers sharing one port, a
// scrape reaches a random process). Why TCP and not HTTP: nothing to parse, keep-alive and
// streaming just work; a connection stays on the backend it was given.
//
// A backend that refuses the connection (restarting, killed) is skipped: the next one in
// turn is tried, so clients see no error while one API process is down.
import net from 'node:net';

export interface Balancer {
  port: number;
  close(): Promise<void>;
}

export function startTcpBalancer(opts: {
  host: string;
  port: number;
  backends: { host: string; port: number }[];
  log?: (msg: string) => void;
}): Promise<Balancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.pause(); // hold the request bytes until a backend is connected
    const tryBackend = (attempt: number) => {
      if (attempt >= opts.backends.length) {
        opts.log?.('no API process accepts connections; closing the client connection');
        client.destroy();
        return;
      }
      const target = opts.backends[next++ % opts.backends.length]!;
      const upstream = net.connect(target);
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      const onConnectError = () => {
        upstream.destroy();
        tryBackend(attempt + 1);
      };
      upstream.once('error', onConnectError);
      upstream.once('connect', () => {
        upstream.removeListener('error', onConnectError);
        // After the connection is made, an error on either side closes both.
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    client.on('error', () => undefined);
    tryBackend(0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : opts.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

// As a process of its own (docker-compose.yml's api-lb):
//   BALANCER_PORT=3000 BALANCER_BACKENDS=api:3000[,host:port…] tsx scripts/tcpBalancer.ts
if (require.main === module) {
  const port = Number(process.env.BALANCER_PORT || 3000);
  const backends = (process.env.BALANCER_BACKENDS || '127.0.0.1:3001')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
    .map((b) => {
      const i = b.lastIndexOf(':');
      return { host: b.slice(0, i), port: Number(b.slice(i + 1)) };
    });
  startTcpBalancer({ host: '0.0.0.0', port, backends, log: (m) => console.error(`[balancer] ${m}`) }).then(
    () => console.error(`[balancer] :${port} -> ${backends.map((b) => `${b.host}:${b.port}`).join(', ')}`),
    (err: Error) => {
      console.error(`[balancer] ${err.message}`);
      process.exit(1);
    },
  );
}
