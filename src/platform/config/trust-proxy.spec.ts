import { ConfigError, loadConfig } from './app-config.js';

const base = { JWT_SECRET: 'x'.repeat(40) };

describe('TRUST_PROXY', () => {
  it('is off by default, a hop count when a number, or a list of exact proxies', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: '172.28.0.10, 10.0.0.0/8, loopback' }).trustProxy).toEqual(['172.28.0.10', '10.0.0.0/8', 'loopback']);
  });

  it('refuses what is neither (it used to reach Express unchecked)', () => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'nginx' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '0' })).toThrow(/TRUST_PROXY must be 1 to 10 hops/);
  });

  it('deploy/ trusts exactly one proxy, never a whole private range', async () => {
    const { readFile } = await import('node:fs/promises');
    const compose = await readFile(new URL('../../../deploy/docker-compose.yml', import.meta.url), 'utf8');
    const configMap = await readFile(new URL('../../../deploy/k8s/configmap.yaml', import.meta.url), 'utf8');
    expect(compose).toMatch(/TRUST_PROXY: 172\.28\.0\.10\n/);
    expect(compose).toMatch(/ipv4_address: 172\.28\.0\.10 /);
    expect(configMap).toMatch(/TRUST_PROXY: "1"\n/);
    expect(`${compose}${configMap}`).not.toMatch(/TRUST_PROXY: (uniquelocal|linklocal)/);
  });
});
