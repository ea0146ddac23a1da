import { connect, type Socket } from 'node:net';

/**
 * A load generator's HTTP/1.1 client for strictly sequential exchanges on
 * one kept-alive connection, as a pull agent's SIF_GetMessage / SIF_Ack
 * loop is: one request written in one piece, the answer read by its
 * Content-Length, nothing else. node:http's client costs about 0.13 ms of
 * CPU per round trip on the bench machine, a share of the chain the bench
 * measures; this one costs a fraction of that, as wrk does for the other
 * benches. It understands only what a bare Fastify or our node answers
 * with (Content-Length bodies, no chunking) and fails loudly on anything else.
 */
export interface SequentialHttp {
  /** POSTs `body` to `path` and resolves with the answer's status and body. */
  post(path: string, body: Buffer, contentType: string): Promise<{ status: number; body: string }>;
  close(): void;
}

/** Opens one connection to host:port for sequential POSTs. */
export async function openSequentialHttp(host: string, port: number): Promise<SequentialHttp> {
  const socket: Socket = connect({ host, port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (a: { status: number; body: string }) => void; reject: (e: Error) => void } | undefined;
  const fail = (error: Error) => {
    waiting?.reject(error);
    waiting = undefined;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the connection closed')));
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (headEnd < 0 || !waiting) return;
    const head = buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return fail(new Error(`no Content-Length in ${head}`));
    const end = headEnd + 4 + Number(length[1]);
    if (buffered.length < end) return;
    const answer = { status: Number(head.slice(9, 12)), body: buffered.toString('utf8', headEnd + 4, end) };
    buffered = buffered.subarray(end);
    const done = waiting;
    waiting = undefined;
    done.resolve(answer);
  });
  return {
    post(path, body, contentType) {
      if (waiting) return Promise.reject(new Error('one request at a time'));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        const head = `POST ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\ncontent-type: ${contentType}\r\ncontent-length: ${body.length}\r\n\r\n`;
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      });
    },
    close: () => socket.destroy(),
  };
}
