// A proxy on 127.0.0.1 in front of a storage emulator that cuts the
// connection of the first whole-blob download after a given number of body
// bytes, once, and records the requests it forwards.

import {
  createServer,
  request as forward,
  type IncomingHttpHeaders,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Long enough for a browser to read what it was sent; see below. */
const CUT_DELAY_MS = 300;

export interface ProxiedRequest {
  method: string;
  /** Path and query; the query holds a SAS token, so never print it. */
  path: string;
  range: string | undefined;
}

export interface DropProxy {
  /** `http://127.0.0.1:PORT`, standing in for the emulator's own. */
  url: string;
  readonly requests: ProxiedRequest[];
  /** Body bytes sent before the cut; 0 before it happened. */
  readonly bytesBeforeDrop: number;
  close(): Promise<void>;
}

export async function startDropProxy(
  target: { host: string; port: number },
  dropAfterBytes: number,
): Promise<DropProxy> {
  const requests: ProxiedRequest[] = [];
  let bytesBeforeDrop = 0;
  let dropped = false;

  const server = createServer((incoming, outgoing) => {
    const method = incoming.method ?? 'GET';
    requests.push({ method, path: incoming.url ?? '/', range: incoming.headers.range });
    const headers: IncomingHttpHeaders = {
      ...incoming.headers,
      host: `${target.host}:${target.port}`,
    };
    const upstream = forward(
      { ...target, method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        const cut =
          !dropped && method === 'GET' && answer.statusCode === 200;
        if (!cut) {
          answer.pipe(outgoing);
          return;
        }

        dropped = true;
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= dropAfterBytes) return;
          const part = chunk.subarray(0, dropAfterBytes - sent);
          sent += part.length;
          const last = sent >= dropAfterBytes;
          outgoing.write(part, () => {
            if (!last) return;
            // Everything written has reached the socket. The cut waits a
            // moment more: a stream that errors drops the chunks its reader
            // has not taken yet, and the page should have taken these.
            bytesBeforeDrop = sent;
            answer.destroy();
            setTimeout(() => outgoing.socket?.destroy(), CUT_DELAY_MS);
          });
        });
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get bytesBeforeDrop() {
      return bytesBeforeDrop;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
