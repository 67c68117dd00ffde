import { jest } from '@jest/globals';
import { Writable } from 'node:stream';
import { ConfigError } from '../config/app-config.js';
import { announceGeneratedPassword, firstAdminPassword } from './first-admin.js';

describe('first admin password', () => {
  it('production refuses an empty database without ADMIN_PASSWORD', () => {
    expect(() => firstAdminPassword({ isProduction: true, adminPassword: undefined })).toThrow(ConfigError);
    expect(() => firstAdminPassword({ isProduction: true, adminPassword: undefined })).toThrow(/ADMIN_PASSWORD is required/);
  });

  it('takes ADMIN_PASSWORD as given, in production too', () => {
    expect(firstAdminPassword({ isProduction: true, adminPassword: 'a-long-password' })).toEqual({ password: 'a-long-password', generated: false });
  });

  it('elsewhere generates one, and shows it on stderr only', () => {
    const { password, generated } = firstAdminPassword({ isProduction: false, adminPassword: undefined });
    expect(generated).toBe(true);
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      announceGeneratedPassword('admin@example.com', password);
      expect(stdout).not.toHaveBeenCalled();
      expect(String(stderr.mock.calls[0][0])).toContain(password);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const written: string[] = [];
    announceGeneratedPassword('a@b.c', 'pw', new Writable({ write: (chunk, _e, done) => (written.push(String(chunk)), done()) }));
    expect(written.join('')).toContain('password pw');
  });
});
