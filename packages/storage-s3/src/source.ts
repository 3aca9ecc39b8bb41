import http from 'node:http';
import https from 'node:https';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import picomatch from 'picomatch';
import { ClearanceError, SourceError, type ByteRange, type CallOptions, type Entry, type Source } from '@clearance/core';
import { codeOf, describeError, sourceErrorOf, statusOf } from './errors.js';
import { mapBounded } from './concurrent.js';
import { listInventory } from './inventory.js';

/** Options of {@link s3Source}. */
export interface S3SourceOptions {
  bucket: string;
  /**
   * Key prefix to scan. A prefix that does not end in `/` names a "folder" (`data` scans `data/…`) or,
   * when no key lies below it, the one object of that name, as a local path names a folder or a file.
   * Default: the whole bucket.
   */
  prefix?: string;
  /** Globs of paths relative to the prefix to include; `!pattern` leaves paths out. Default: everything, dot files too. */
  include?: string[];
  /** Globs of relative paths to leave out. Default: none. */
  exclude?: string[];
  /** A ready client; every connection option below is then ignored, and `close()` leaves it open. */
  client?: S3Client;
  /** Endpoint URL of an S3-compatible store (`http://127.0.0.1:7480`). Default: AWS, from the region. */
  endpoint?: string;
  /** Region. Default: the SDK's (AWS_REGION, the profile), or `us-east-1` with an `endpoint`. */
  region?: string;
  /** Named profile of ~/.aws/config and ~/.aws/credentials. Default: the SDK's default credential chain. */
  profile?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible stores need. Default false. */
  forcePathStyle?: boolean;
  /** Send `x-amz-request-payer: requester` on every request, for requester-pays buckets. Default false. */
  requesterPays?: boolean;
  /** Sockets in the pool: set it to the scan's concurrency plus a few for listing. Default 64. */
  maxSockets?: number;
  /** Attempts per request, first included, for throttling, 5xx and dropped connections. Default 8. */
  maxAttempts?: number;
  /** The SDK's retry mode: `standard` (exponential backoff with jitter) or `adaptive` (also rate-limits itself when throttled). Default `standard`. */
  retryMode?: 'standard' | 'adaptive';
  /** Keys per ListObjectsV2 page (1..1000). Default 1000. */
  maxKeys?: number;
  /**
   * One HeadObject per object while listing, for its user metadata (`x-amz-meta-*`) and checksums, put
   * on the entry as provenance. Costs one request per object per listing (the engine lists twice).
   * Default false: entries then carry only what the listing says (size, ETag, mtime).
   */
  metadata?: boolean;
  /** One GetObjectTagging per object while listing, for its tags (`tag:<key>` in the entry's metadata). Default false. */
  tags?: boolean;
  /**
   * List from an S3 Inventory report instead of ListObjectsV2: the `manifest.json` of a CSV or
   * Parquet inventory, as an `s3://` URL or a local path. The prefix and globs still apply; delete
   * markers and non-current versions of a versioned report are skipped; an ORC report is refused
   * (`ERR_SOURCE_LISTING`), as is a data file that cannot be read. Default: ListObjectsV2.
   */
  inventory?: string;
  /** Requests in flight for metadata and tags while listing. Default 32. */
  listConcurrency?: number;
}

/** Retries of a body that breaks off after the response began (the SDK retries only whole requests). */
const BODY_RETRIES = 5;

/** What an entry costs a reader: its key in the bucket. */
interface Keyed {
  key: string;
}

/**
 * S3 or an S3-compatible store as a Source. Read-only: it lists (ListObjectsV2, or an inventory), reads
 * byte ranges and streams (GetObject), and with options asks for metadata and tags; it never writes.
 *
 * - Entries: path relative to the prefix, size, ETag (never a content hash), mtime; with `metadata`
 *   and `tags`, `x-amz-meta-*`, `x-amz-checksum-*` and `tag:*` in `entry.metadata`.
 * - Reads: one GetObject per range with an explicit `bytes=start-end` computed from the listed size
 *   (never a suffix range) and `If-Match` with the listed ETag, so that a replaced object is
 *   `ERR_CHANGED_DURING_READ`, a deleted one `ERR_ENTRY_VANISHED`, a forbidden one `ERR_PERMISSION_DENIED`.
 * - A failing listing throws `ERR_SOURCE_LISTING`; a prefix with nothing below it `ERR_SOURCE_ROOT`.
 *
 * ```ts
 * const source = s3Source({ bucket: 'corpus', prefix: 'images/', region: 'eu-west-1' });
 * for await (const record of scan({ source, detectors: builtinDetectors })) console.log(record.path);
 * ```
 */
export function s3Source(options: S3SourceOptions): Source {
  const { bucket } = options;
  const prefix = options.prefix ?? '';
  const requestPayer = options.requesterPays ? ('requester' as const) : undefined;
  const maxKeys = options.maxKeys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) throw new ClearanceError('ERR_INVALID_OPTION', `[s3] maxKeys must be 1..1000, got ${maxKeys}`);
  const ownClient = options.client === undefined;
  const client = options.client ?? makeClient(options);
  const include = options.include?.length ? options.include : ['**'];
  const positive = include.filter((p) => !p.startsWith('!'));
  const leftOut = [...(options.exclude ?? []), ...include.filter((p) => p.startsWith('!')).map((p) => p.slice(1))];
  const isIncluded = picomatch(positive.length > 0 ? positive : ['**'], { dot: true });
  const isExcluded = leftOut.length > 0 ? picomatch(leftOut, { dot: true }) : () => false;
  const wanted = (rel: string) => isIncluded(rel) && !isExcluded(rel);
  /** Keys below this are listed; a prefix without a trailing slash is a folder first. */
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  /** Set when the prefix names one object rather than a folder. */
  let singleKey: string | undefined;
  const location = `s3://${bucket}/${prefix}`;

  const keyOf = (entry: Entry): string => (entry as Entry & Partial<Keyed>).key ?? (singleKey ?? `${folder}${entry.path}`);

  async function* listKeys(signal?: AbortSignal): AsyncGenerator<{ key: string; size: number; etag?: string; mtime?: string; checksumAlgorithm?: string }> {
    if (options.inventory !== undefined) {
      yield* listInventory({ client, manifest: options.inventory, bucket, prefix: folder, signal, requestPayer });
      return;
    }
    let token: string | undefined;
    const page = (continuationToken: string | undefined): Promise<ListObjectsV2CommandOutput> =>
      client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: maxKeys, EncodingType: 'url', ContinuationToken: continuationToken, RequestPayer: requestPayer }),
        { abortSignal: signal },
      );
    let next: Promise<ListObjectsV2CommandOutput> | undefined = page(undefined);
    // Bounded: every page must move the token on; a server that repeats itself would loop forever.
    const seen = new Set<string>();
    while (next) {
      const res: ListObjectsV2CommandOutput = await next;
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
      if (res.IsTruncated && !token) throw new Error('the listing is truncated but the server sent no continuation token');
      if (token !== undefined) {
        if (seen.has(token)) throw new Error('the server repeated a continuation token; the listing would never end');
        seen.add(token);
      }
      // Ask for the next page while this one is handed out: listing latency, not bandwidth, is the cost.
      next = token !== undefined ? page(token) : undefined;
      next?.catch(() => undefined);
      const encoded = res.EncodingType === 'url';
      for (const o of res.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          key: encoded ? decodeKey(o.Key) : o.Key,
          size: o.Size ?? 0,
          ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
          ...(o.LastModified !== undefined ? { mtime: o.LastModified.toISOString() } : {}),
          ...(o.ChecksumAlgorithm?.length ? { checksumAlgorithm: o.ChecksumAlgorithm.join(',') } : {}),
        };
      }
    }
  }

  async function* listEntries(signal?: AbortSignal): AsyncGenerator<Entry> {
    let any = false;
    try {
      for await (const o of listKeys(signal)) {
        if (!o.key.startsWith(folder)) continue;
        any = true;
        const rel = o.key.slice(folder.length);
        // "Folder" placeholders made by consoles: a local scan has no such thing.
        if (rel === '' || rel.endsWith('/')) continue;
        if (!wanted(rel)) continue;
        yield toEntry(rel, o);
      }
      if (!any && folder !== prefix) {
        // No key below `prefix/`: the prefix may name a single object, as a local root may name a file.
        const head = await headOrNull(prefix, signal);
        if (head) {
          singleKey = prefix;
          const name = prefix.slice(prefix.lastIndexOf('/') + 1);
          any = true;
          yield toEntry(name, { key: prefix, size: head.ContentLength ?? 0, ...(head.ETag ? { etag: head.ETag } : {}), ...(head.LastModified ? { mtime: head.LastModified.toISOString() } : {}) });
        }
      }
    } catch (err) {
      if (signal?.aborted || err instanceof ClearanceError) throw err;
      throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] cannot list ${location}: ${describeError(err)}`, { cause: err });
    }
    if (!any && prefix !== '') {
      // A typo in a prefix must not pass a CI gate as an empty dataset.
      throw new ClearanceError('ERR_SOURCE_ROOT', `[s3] nothing found at ${location}: no object has this key or prefix`);
    }
  }

  function toEntry(rel: string, o: { key: string; size: number; etag?: string; mtime?: string; checksumAlgorithm?: string }): Entry & Keyed {
    return {
      path: rel,
      size: o.size,
      ...(o.mtime !== undefined ? { mtime: o.mtime } : {}),
      ...(o.etag !== undefined ? { etag: o.etag } : {}),
      ...(o.checksumAlgorithm !== undefined ? { metadata: { 'x-amz-checksum-algorithm': o.checksumAlgorithm } } : {}),
      key: o.key,
    };
  }

  async function headOrNull(key: string, signal?: AbortSignal) {
    try {
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, RequestPayer: requestPayer }), { abortSignal: signal });
    } catch (err) {
      if (statusOf(err) === 404 || codeOf(err) === 'NotFound' || codeOf(err) === 'NoSuchKey') return null;
      throw err;
    }
  }

  /** Adds user metadata, checksums and tags to an entry, as the options ask. A failure becomes the entry's error. */
  async function enrich(entry: Entry, signal?: AbortSignal): Promise<Entry> {
    const key = keyOf(entry);
    const metadata: Record<string, string> = { ...entry.metadata };
    try {
      if (options.metadata) {
        const head = await client.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key, RequestPayer: requestPayer, ChecksumMode: 'ENABLED', ...(entry.etag ? { IfMatch: entry.etag } : {}) }),
          { abortSignal: signal },
        );
        for (const [k, v] of Object.entries(head.Metadata ?? {})) metadata[`x-amz-meta-${k.toLowerCase()}`] = v;
        const sums = { crc32: head.ChecksumCRC32, crc32c: head.ChecksumCRC32C, crc64nvme: head.ChecksumCRC64NVME, sha1: head.ChecksumSHA1, sha256: head.ChecksumSHA256 };
        for (const [k, v] of Object.entries(sums)) if (v) metadata[`x-amz-checksum-${k}`] = v;
        if (head.ChecksumType) metadata['x-amz-checksum-type'] = head.ChecksumType;
      }
      if (options.tags) {
        const res = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, RequestPayer: requestPayer }), { abortSignal: signal });
        for (const t of res.TagSet ?? []) if (t.Key !== undefined) metadata[`tag:${t.Key}`] = t.Value ?? '';
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      const e = sourceErrorOf(err, 'the object');
      return { ...entry, error: { code: e.code, message: `its metadata could not be read: ${e.message}` } };
    }
    return Object.keys(metadata).length > 0 ? { ...entry, metadata } : entry;
  }

  function list(opts?: CallOptions): AsyncIterable<Entry> {
    const signal = opts?.signal;
    if (!options.metadata && !options.tags) return listEntries(signal);
    return mapBounded(listEntries(signal), options.listConcurrency ?? 32, (e) => enrich(e, signal), signal);
  }

  /** GetObject of one entry with If-Match on its listed ETag; checks the ETag again in case the store ignores If-Match. */
  async function get(entry: Entry, range: string | undefined, signal?: AbortSignal): Promise<GetObjectCommandOutput> {
    const res = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: keyOf(entry), Range: range, RequestPayer: requestPayer, ...(entry.etag ? { IfMatch: entry.etag } : {}) }),
      { abortSignal: signal },
    );
    if (entry.etag !== undefined && res.ETag !== undefined && res.ETag !== entry.etag) {
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new SourceError('ERR_CHANGED_DURING_READ', `the object changed after it was listed (ETag ${entry.etag} → ${res.ETag})`);
    }
    return res;
  }

  async function read(entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array> {
    const signal = opts?.signal;
    signal?.throwIfAborted();
    if (!Number.isSafeInteger(range.start) || range.start < 0 || !Number.isSafeInteger(range.end)) {
      throw new RangeError(`[clearance] [s3] invalid byte range ${range.start}..${range.end}`);
    }
    // One byte past the listed end is enough to see growth; never ask for more than that.
    const end = Math.min(range.end, entry.size + 1);
    if (end <= range.start) return new Uint8Array(0);
    const header = `bytes=${range.start}-${end - 1}`;
    for (let attempt = 0; ; attempt++) {
      let res: GetObjectCommandOutput;
      try {
        res = await get(entry, header, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        // 416: the range starts at or past the end (an empty object is read as [0, 1)): no bytes, not an error.
        if (statusOf(err) === 416 || codeOf(err) === 'InvalidRange') return new Uint8Array(0);
        throw sourceErrorOf(err, 'the object');
      }
      try {
        const bytes = await res.Body!.transformToByteArray();
        // A store that ignores Range answers 200 with the whole object: cut the range out of it.
        if (res.ContentRange === undefined && res.$metadata.httpStatusCode === 200) return bytes.subarray(range.start, end);
        return bytes;
      } catch (err) {
        if (signal?.aborted) throw err;
        if (attempt >= BODY_RETRIES) throw new SourceError('ERR_READ_FAILED', `the object's bytes broke off ${attempt + 1} times: ${describeError(err)}`, { cause: err });
        await pause(backoff(attempt), signal);
      }
    }
  }

  async function* stream(entry: Entry, opts?: CallOptions): AsyncGenerator<Uint8Array> {
    const signal = opts?.signal;
    let pos = 0;
    for (let attempt = 0; ; ) {
      signal?.throwIfAborted();
      let res: GetObjectCommandOutput;
      try {
        // The first request takes the whole object; after a break, the rest with an explicit range from the listed size.
        res = await get(entry, pos === 0 ? undefined : `bytes=${pos}-${Math.max(pos, entry.size - 1)}`, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        throw sourceErrorOf(err, 'the object');
      }
      try {
        for await (const chunk of res.Body as AsyncIterable<Uint8Array>) {
          pos += chunk.length;
          if (pos > entry.size) throw new SourceError('ERR_CHANGED_DURING_READ', `the object is larger than listed (${entry.size} bytes)`);
          yield chunk;
        }
      } catch (err) {
        if (err instanceof SourceError || signal?.aborted) throw err;
        if (++attempt > BODY_RETRIES) throw new SourceError('ERR_READ_FAILED', `the object's bytes broke off ${attempt} times: ${describeError(err)}`, { cause: err });
        await pause(backoff(attempt), signal);
        if (pos < entry.size) continue;
      }
      if (pos !== entry.size) throw new SourceError('ERR_CHANGED_DURING_READ', `the object is ${pos} bytes, ${entry.size} listed`);
      return;
    }
  }

  async function close(): Promise<void> {
    if (ownClient) client.destroy();
  }

  return { name: 's3', location, list, read, stream, close };
}

/**
 * A client for S3 and S3-compatible stores. With no region anywhere (option, AWS_REGION, the
 * profile), `us-east-1` with region redirects followed, as the AWS CLI reaches any bucket.
 */
function makeClient(options: S3SourceOptions): S3Client {
  try {
    return new S3Client(clientConfig(options));
  } catch (err) {
    if (!/region is missing/i.test((err as Error).message)) throw new ClearanceError('ERR_INVALID_OPTION', `[s3] ${(err as Error).message}`, { cause: err });
    return new S3Client({ ...clientConfig(options), region: 'us-east-1', followRegionRedirects: true });
  }
}

/** The client configuration for S3 and S3-compatible stores. */
function clientConfig(options: S3SourceOptions): S3ClientConfig {
  const maxSockets = options.maxSockets ?? 64;
  const region = options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || (options.endpoint !== undefined ? 'us-east-1' : undefined);
  return {
    ...(region !== undefined ? { region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    // With the SDK's defaults (WHEN_SUPPORTED), some S3-compatible servers corrupt or refuse requests.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // On AWS, a bucket in another region answers 301; follow it rather than fail.
    followRegionRedirects: options.endpoint === undefined,
    maxAttempts: options.maxAttempts ?? 8,
    retryMode: options.retryMode ?? 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
    }),
  };
}

/** A key from a listing made with `encoding-type=url`. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function backoff(attempt: number): number {
  return Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
