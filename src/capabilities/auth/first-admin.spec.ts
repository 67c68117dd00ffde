import { jest } from '@jest/globals';
import { Writable } from 'node:stream';
import { ConfigError } from '../../platform/config/app-config.js';
import { announceReady, firstAdminPassword } from './first-admin.js';

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
      announceReady('http://localhost:3000', { email: 'admin@example.com', password });
      expect(stdout).not.toHaveBeenCalled();
      expect(String(stderr.mock.calls[0][0])).toContain(password);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const written: string[] = [];
    announceReady('http://localhost:3000', { email: 'a@b.c', password: 'pw' }, new Writable({ write: (chunk, _e, done) => (written.push(String(chunk)), done()) }));
    expect(written.join('')).toContain('API http://localhost:3000/api, docs http://localhost:3000/docs; first admin: username "admin", email a@b.c, password pw');
    written.length = 0;
    announceReady('http://localhost:3000', undefined, new Writable({ write: (chunk, _e, done) => (written.push(String(chunk)), done()) }));
    expect(written.join('')).toBe('\n  Tessera is ready: API http://localhost:3000/api, docs http://localhost:3000/docs\n\n');
  });
});
