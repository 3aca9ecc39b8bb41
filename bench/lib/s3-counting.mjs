/**
 * An S3 client for bench/s3.mjs that counts what crosses the HTTP layer, to cross-check the bytes and
 * requests the engine records: requests and response body bytes by kind (GetObject, HeadObject,
 * ListObjectsV2, other) through a wrapping request handler, and the bytes every socket carried
 * (headers included) through the agent.
 */
import http from 'node:http';
import net from 'node:net';
import { Transform, pipeline } from 'node:stream';

/**
 * A client whose request handler counts requests and response body bytes by kind, and whose agent
 * counts the bytes its sockets received (headers included).
 * @param {{ endpoint: string, region: string, accessKeyId: string, secretAccessKey: string }} env
 * @param {any} S3Client the SDK's client class (from packages/storage-s3's dependencies)
 * @param {any} NodeHttpHandler
 * @param {number} maxSockets
 */
export function countingClient(env, S3Client, NodeHttpHandler, maxSockets) {
  const counts = { requests: { get: 0, head: 0, list: 0, other: 0 }, body: { get: 0, head: 0, list: 0, other: 0 }, socketBytesRead: 0, socketBytesWritten: 0 };
  /** @type {net.Socket[]} */
  const sockets = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  // Every socket the agent opens is remembered, to sum what it carried once the scan is over.
  /** @type {any} */ (agent).createConnection = (/** @type {net.NetConnectOpts} */ opts) => {
    const s = net.createConnection(opts);
    sockets.push(s);
    return s;
  };
  const inner = new NodeHttpHandler({ httpAgent: agent, connectionTimeout: 10_000, requestTimeout: 120_000 });
  const handler = {
    metadata: inner.metadata,
    /** @param {any} request @param {any} options */
    async handle(request, options) {
      /** @type {'get' | 'head' | 'list' | 'other'} */
      const kind = request.method === 'HEAD' ? 'head' : request.method !== 'GET' ? 'other' : request.query?.['list-type'] ? 'list' : 'get';
      counts.requests[kind]++;
      const out = await inner.handle(request, options);
      const body = out.response.body;
      if (body && typeof body.pipe === 'function') {
        const counter = new Transform({
          transform(chunk, _enc, cb) {
            counts.body[kind] += chunk.length;
            cb(null, chunk);
          },
        });
        // pipeline, not pipe: a reader that stops early destroys the socket's stream too.
        pipeline(body, counter, () => undefined);
        out.response.body = counter;
      }
      return out;
    },
    /** @param {any} k @param {any} v */
    updateHttpClientConfig: (k, v) => inner.updateHttpClientConfig(k, v),
    httpHandlerConfigs: () => inner.httpHandlerConfigs(),
    destroy: () => inner.destroy(),
  };
  const client = new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: handler,
  });
  return {
    client,
    counts,
    finish() {
      for (const s of sockets) {
        counts.socketBytesRead += s.bytesRead;
        counts.socketBytesWritten += s.bytesWritten;
      }
      client.destroy();
      agent.destroy();
      return counts;
    },
  };
}
