import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** s3rver ships CommonJS without types; only what the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export const S3_BUCKET = 'tessera-avatars';
// s3rver's fixed development credentials.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A real S3-compatible server (s3rver) on a random port with one bucket, its objects kept in a temporary
 * directory. `stop()` and `start()` take it down and bring it back on the same port with the same objects.
 */
export class S3Sink {
  private server?: S3rverServer;
  private port = 0;

  private constructor(private readonly directory: string) {}

  static async start(): Promise<S3Sink> {
    const sink = new S3Sink(await mkdtemp(path.join(tmpdir(), 'tessera-s3rver-')));
    await sink.start();
    return sink;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The app's S3_* configuration for this server. */
  get env(): Record<string, string> {
    return {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: this.endpoint,
      S3_BUCKET,
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  }

  async start(): Promise<void> {
    this.server = new S3rver({ address: '127.0.0.1', port: this.port, silent: true, directory: this.directory, configureBuckets: [{ name: S3_BUCKET }] });
    this.port = (await this.server.run()).port;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  /** The keys of the bucket's objects that contain `containing`, sorted. */
  async objectKeys(containing: string): Promise<string[]> {
    const client = new S3Client({ region: 'us-east-1', endpoint: this.endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET }));
      return (listed.Contents ?? [])
        .map((object) => object.Key!)
        .filter((key) => key.includes(containing))
        .sort();
    } finally {
      client.destroy();
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
  }
}
