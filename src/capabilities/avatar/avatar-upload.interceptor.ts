import {
  applyDecorators,
  HttpException,
  Injectable,
  mixin,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiConsumes } from '@nestjs/swagger';
import multer from 'multer';
import { finalize, type Observable } from 'rxjs';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AVATAR_ERRORS } from './errors.js';
import { AvatarImageProcessor } from './avatar-image.processor.js';

/** docs/api/me.md#avatar: uploads up to 5 MB. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface AvatarUploadOptions {
  /** Text fields the route accepts beside the file (0 for a file-only route). */
  fields?: number;
}

/** The multer error Nest keeps as the cause of the HttpException it throws. */
interface MulterFailure {
  code: string;
  field?: string;
}

function multerFailureOf(error: unknown): MulterFailure | undefined {
  const cause = error instanceof HttpException ? error.cause : undefined;
  return typeof cause === 'object' && cause !== null && typeof (cause as MulterFailure).code === 'string'
    ? (cause as MulterFailure)
    : undefined;
}

/** multer's limits → the family's 413/422 on the upload field (Nest would answer 400 for most of them). */
function uploadError(error: unknown, field: string): unknown {
  const failure = multerFailureOf(error);
  switch (failure?.code) {
    case 'LIMIT_FILE_SIZE':
      return new DomainError(AVATAR_ERRORS.IMAGE_TOO_LARGE, { params: { label: field.replace(/_/g, ' ') } });
    case 'LIMIT_FILE_COUNT':
      return DomainError.invalid(field, `Only one ${field.replace(/_/g, ' ')} may be uploaded.`, 'max');
    case 'LIMIT_UNEXPECTED_FILE': {
      const name = failure.field || 'file';
      return DomainError.invalid(name, `The ${name} field is not allowed.`, 'prohibited');
    }
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_PART_COUNT':
      return new DomainError(AVATAR_ERRORS.FORM_TOO_MANY_FIELDS, { field });
    case 'MISSING_FIELD_NAME':
      return new DomainError(AVATAR_ERRORS.FORM_FIELD_NAME_MISSING);
    case 'LIMIT_FIELD_NESTING':
      return new DomainError(AVATAR_ERRORS.FORM_FIELD_TOO_DEEP, { field: failure.field || 'input' });
    case 'LIMIT_FIELD_KEY':
    case 'LIMIT_FIELD_VALUE':
      return new DomainError(AVATAR_ERRORS.FORM_FIELD_TOO_LONG, { field: failure.field || field });
    default:
      return error;
  }
}

/**
 * multer in memory for one image in `field`, with every limit set (one file, 5 MB, a few short text fields);
 * nothing reaches the disk before the avatar service has judged the bytes.
 */
export function AvatarFileInterceptor(field: string, options: AvatarUploadOptions = {}): Type<NestInterceptor> {
  const fields = options.fields ?? 0;
  const Multer = FileInterceptor(field, {
    storage: multer.memoryStorage(),
    // Part names and file names are UTF-8 (what browsers send); busboy's default, latin1, garbles them in errors.
    defParamCharset: 'utf8',
    limits: {
      files: 1,
      fileSize: MAX_UPLOAD_BYTES,
      fields,
      parts: fields + 1,
      fieldNameSize: 100,
      fieldSize: 10_000,
      headerPairs: 20,
    },
  });

  @Injectable()
  class AvatarFileMixin implements NestInterceptor {
    private readonly multer = new Multer();

    constructor(private readonly images: AvatarImageProcessor) {}

    /** A place in the image line first (503 when it is full), so a flood of uploads is refused before it is read. */
    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const leave = this.images.admit();
      try {
        return (await this.multer.intercept(context, next)).pipe(finalize(leave));
      } catch (error) {
        leave();
        throw uploadError(error, field);
      }
    }
  }
  return mixin(AvatarFileMixin);
}

/** Reads a multipart upload of one image in `field` and documents the route as multipart/form-data. */
export const AvatarUpload = (field: string, options: AvatarUploadOptions = {}): MethodDecorator =>
  applyDecorators(UseInterceptors(AvatarFileInterceptor(field, options)), ApiConsumes('multipart/form-data'));
