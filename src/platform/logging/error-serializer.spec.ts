import { Writable } from 'node:stream';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { DatabaseLogger } from '../database/database-logger.js';
import { PinoNestLogger, REDACTED_PATHS, serializeError } from './logger.js';
import { Logger } from '@nestjs/common';

function capture(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: serializeError } }, sink);
  return { logger, lines: () => chunks.join('') };
}

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), {
    code: '23505',
    constraint: 'users_email_unique',
    severity: 'ERROR',
    routine: '_bt_check_unique',
    detail: 'Key (lower(email))=(someone@example.com) already exists.',
  });
  return new QueryFailedError('INSERT INTO users (email, password) VALUES ($1, $2)', ['someone@example.com', HASH], driverError);
}

describe('logging of errors', () => {
  it('logs a database error by code and constraint only (its parameters held an argon2 hash)', () => {
    const { logger, lines } = capture();
    logger.error({ err: uniqueViolation() }, 'unhandled error');
    const line = JSON.parse(lines());
    expect(line.err).toEqual({ type: 'QueryFailedError', code: '23505', constraint: 'users_email_unique' });
    expect(lines()).not.toContain('argon2id');
    expect(lines()).not.toContain('someone@example.com');
  });

  it('keeps error codes: only two-factor code fields are redacted, not every key named code', () => {
    const { logger, lines } = capture();
    logger.error({ err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), mail: { code: 'EAUTH' } }, 'x');
    logger.info({ req: { body: { code: '123456' } } }, 'y');
    const [first, second] = lines().trim().split('\n').map((text) => JSON.parse(text));
    expect(first.err.code).toBe('ECONNREFUSED');
    expect(first.mail.code).toBe('EAUTH');
    expect(second.req.body.code).toBe('[redacted]');
  });

  it('DB_LOG_QUERIES logs statements with their parameters redacted', () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(new PinoNestLogger(logger));
    try {
      const database = new DatabaseLogger(true);
      database.logQuery('UPDATE users SET password = $1 WHERE id = $2', [HASH, 7]);
      database.logQueryError(uniqueViolation().driverError, 'INSERT …', ['someone@example.com', HASH]);
      new DatabaseLogger(false).logQuery('SELECT $1', ['quiet']);
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines()).toContain('UPDATE users SET password = $1 WHERE id = $2');
    expect(lines()).toContain('[2 redacted]');
    expect(lines()).not.toContain('argon2id');
    expect(lines()).not.toContain('someone@example.com');
    expect(lines()).not.toContain('quiet');
  });
});
