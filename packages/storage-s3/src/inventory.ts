import type { S3Client } from '@aws-sdk/client-s3';

/** One object as an inventory lists it. */
export interface InventoryObject {
  key: string;
  size: number;
  etag?: string;
  mtime?: string;
}

export interface InventoryOptions {
  client: S3Client;
  manifest: string;
  bucket: string;
  prefix: string;
  signal?: AbortSignal;
  requestPayer?: 'requester';
}

/** Objects listed by an S3 Inventory report. */
export async function* listInventory(_options: InventoryOptions): AsyncGenerator<InventoryObject> {
  yield* [];
  throw new Error('inventory listing is not implemented yet');
}
