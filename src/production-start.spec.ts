import { readFile } from 'node:fs/promises';

const repository = (file: string): Promise<string> => readFile(new URL(`../${file}`, import.meta.url), 'utf8');

/** The node flags and the environment a start command sets, from `[VAR=value …] [exec] node [flags …] <entry>`. */
function startOf(command: string): { env: string[]; flags: string[] } {
  const words = command.trim().split(/\s+/).filter((word) => word !== 'exec');
  const node = words.indexOf('node');
  return { env: words.slice(0, node), flags: words.slice(node + 1, -1) };
}

/**
 * The resident-memory settings (an 8 MiB young generation, two malloc arenas) are start-up flags and environment,
 * not code: the Dockerfile, `npm start` and `npm run start:prod` (which the bench runs) must all set the same.
 */
describe('the production start', () => {
  it('is the same in the Dockerfile, npm start and npm run start:prod', async () => {
    const { scripts } = JSON.parse(await repository('package.json')) as { scripts: Record<string, string> };
    const dockerfile = await repository('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    const envBlock = /^ENV ((?:.*\\\n)*.*)$/m.exec(runtime)![1]!;
    const dockerEnv = [...envBlock.matchAll(/([A-Z_]+)=(\S+)/g)].map(([, name, value]) => `${name}=${value}`);

    const production = startOf(scripts['start:prod']!);
    expect(production.flags).toContain('--max-semi-space-size=8');
    expect(production.env).toContain('MALLOC_ARENA_MAX=2');
    expect(startOf(scripts.start!.split('&&').at(-1)!)).toEqual(production);
    expect(cmd.slice(1, -1)).toEqual(production.flags);
    for (const variable of production.env) expect(dockerEnv).toContain(variable);
  });
});
