import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` byte for byte to a new connection and reads one HTTP response: for requests no
 * HTTP client library will send (bad framing, NUL in headers, broken chunking). `end` half-closes
 * the connection after writing, as a client that gives up mid-body does. Resolves with status 0
 * when the server closed without answering.
 */
export function rawHttp(port: number, request: string | Buffer, options: { end?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${options.timeoutMs ?? 5000} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, options.timeoutMs ?? 5000);
    const finish = (response: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const parse = (closed: boolean) => {
      const text = Buffer.concat(chunks).toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0) return closed ? finish({ status: 0, headers: {}, body: text }) : undefined;
      const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = text.slice(headEnd + 4);
      const length = Number(headers['content-length'] ?? Number.NaN);
      if (closed || Buffer.byteLength(body) >= length) {
        finish({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: Number.isNaN(length) ? body : body.slice(0, length) });
      }
    };
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      parse(false);
    });
    socket.on('end', () => parse(true));
    socket.on('close', () => parse(true));
    socket.on('error', () => parse(true));
    socket.write(request);
    if (options.end) socket.end();
  });
}
