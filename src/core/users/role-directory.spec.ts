import type { Repository } from 'typeorm';
import type { Role } from './role.entity.js';
import { RoleDirectory } from './role-directory.js';

const role = (id: number, slug: string): Role => ({ id, slug, name: slug, description: null, scopes: [], createdAt: new Date(0), updatedAt: new Date(0) });

/** A roles repository over a list the test changes, counting its reads. */
function repository(rows: Role[]): { roles: Repository<Role>; reads: () => number; fail: (on: boolean) => void } {
  let reads = 0;
  let failing = false;
  const roles = {
    find: async () => {
      reads += 1;
      if (failing) throw new Error('connection refused');
      return [...rows];
    },
  } as unknown as Repository<Role>;
  return { roles, reads: () => reads, fail: (on) => (failing = on) };
}

describe('RoleDirectory', () => {
  it('answers from memory after start-up, and reads the rows again only for an id it has not seen', async () => {
    const rows = [role(1, 'admin'), role(2, 'user')];
    const source = repository(rows);
    const directory = new RoleDirectory(source.roles);
    await directory.onApplicationBootstrap();
    expect((await directory.get(2))?.slug).toBe('user');
    expect((await directory.get(1))?.slug).toBe('admin');
    expect(source.reads()).toBe(1);
    rows.push(role(3, 'auditor'));
    expect((await directory.get(3))?.slug).toBe('auditor');
    expect(source.reads()).toBe(2);
    expect(await directory.get(99)).toBeUndefined();
  });

  it('starts when the database is down at that moment, and reads the roles on first need', async () => {
    const source = repository([role(2, 'user')]);
    source.fail(true);
    const directory = new RoleDirectory(source.roles);
    await directory.onApplicationBootstrap();
    source.fail(false);
    expect((await directory.get(2))?.slug).toBe('user');
  });
});
