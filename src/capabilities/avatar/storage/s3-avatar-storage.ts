import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../../platform/config/app-config.js';
import { AVATAR_FORMAT } from '../../../core/users/avatar-urls.js';
import {
  AVATAR_CACHE_CONTROL,
  AVATAR_FILE_NAME,
  setStorageHeaders,
  type AvatarFile,
  type AvatarStorage,
} from './avatar-storage.js';

const PUBLIC_PREFIX = 'avatars/';
const STAGING_PREFIX = 'tmp/';

function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);
}

/**
 * Any S3-compatible bucket (S3_*): staged objects under `tmp/`, public ones under `avatars/`. The bucket stays
 * private; the app serves the public objects at /storage/avatars so URLs do not depend on the driver.
 */
export class S3AvatarStorage implements AvatarStorage, OnApplicationShutdown {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(s3: AppConfig['s3']) {
    if (!s3.bucket) throw new Error('S3_BUCKET is required for the s3 storage driver');
    this.bucket = s3.bucket;
    this.client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials:
        s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      // Many S3-compatible servers reject the SDK's default flexible checksums; send them only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async stage(files: AvatarFile[]): Promise<void> {
    await Promise.all(
      files.map((file) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: STAGING_PREFIX + file.name,
            Body: file.body,
            ContentType: file.contentType,
            CacheControl: AVATAR_CACHE_CONTROL,
          }),
        ),
      ),
    );
  }

  async commit(names: string[]): Promise<void> {
    for (const name of names) {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: PUBLIC_PREFIX + name,
          CopySource: `${this.bucket}/${STAGING_PREFIX}${name}`,
          MetadataDirective: 'COPY',
        }),
      );
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: STAGING_PREFIX + name }));
    }
  }

  async remove(names: string[]): Promise<void> {
    for (const name of names) {
      for (const key of [STAGING_PREFIX + name, PUBLIC_PREFIX + name]) {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      }
    }
  }

  serve(app: NestExpressApplication, urlPath: string): void {
    app.use(urlPath, (req: Request, res: Response, next: NextFunction) => void this.respond(req, res, next));
  }

  /** After the HTTP server drained, so uploads still in flight at shutdown complete. */
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /** Streams a public object; anything else falls through to the app's 404. */
  private async respond(req: Request, res: Response, next: NextFunction): Promise<void> {
    const name = req.path.slice(1);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !AVATAR_FILE_NAME.test(name)) return next();
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: PUBLIC_PREFIX + name }));
      const body = object.Body as Readable;
      setStorageHeaders(res);
      res.setHeader('Content-Type', AVATAR_FORMAT.contentType);
      res.setHeader('Cache-Control', AVATAR_CACHE_CONTROL);
      if (object.ContentLength !== undefined) res.setHeader('Content-Length', String(object.ContentLength));
      if (object.ETag) res.setHeader('ETag', object.ETag);
      if (object.LastModified) res.setHeader('Last-Modified', object.LastModified.toUTCString());
      if (req.method === 'HEAD') {
        body.destroy();
        res.end();
        return;
      }
      body.on('error', (error) => res.destroy(error));
      body.pipe(res);
    } catch (error) {
      next(isMissing(error) ? undefined : error);
    }
  }
}
