import { AccountLifecycle, type LifecycleParticipant } from '../../src/core/lifecycle/account-lifecycle.js';
import { bootServices, type TestServices } from '../support/services.js';

/** A foreign key from a table to `users`: its columns and what deleting the user does to the row ('c' cascade, 'n' set null, …). */
interface UserForeignKey {
  table: string;
  columns: string[];
  on_delete: string;
}

/**
 * Every table of the migrated schema that refers to users must belong to a lifecycle participant, so recovery, ban,
 * export and deletion cannot miss it: read from the catalog, not from the entities, so a migration that adds a table
 * without a participant fails here.
 */
describe('the schema against the account lifecycle', () => {
  let s: TestServices;
  let foreignKeys: UserForeignKey[];
  let userColumns: { table: string; column: string }[];
  let owners: Map<string, LifecycleParticipant>;

  beforeAll(async () => {
    s = await bootServices();
    foreignKeys = await s.db.query(
      `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY a.attname) AS columns, k.confdeltype AS on_delete
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        WHERE k.contype = 'f' AND k.confrelid = to_regclass(quote_ident(current_schema()) || '.users')
        GROUP BY k.oid, c.relname, k.confdeltype`,
    );
    userColumns = await s.db.query(
      `SELECT col.table_name AS table, col.column_name AS column
         FROM information_schema.columns col
         JOIN information_schema.tables t ON t.table_schema = col.table_schema AND t.table_name = col.table_name
        WHERE col.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
          AND (col.column_name = 'user_id' OR col.column_name LIKE '%\\_user_id')`,
    );
    owners = new Map(s.get(AccountLifecycle).participants.flatMap((participant) => participant.tables.map((table) => [table, participant] as const)));
  });
  afterAll(() => s.close());

  const tablesReferringToUsers = () => [...new Set([...foreignKeys.map((key) => key.table), ...userColumns.map((column) => column.table)])].sort();

  it('finds the tables that refer to users', () => {
    // The catalog query itself: if it found nothing, every check below would pass vacuously.
    expect(tablesReferringToUsers()).toEqual(expect.arrayContaining(['sessions', 'activity_logs', 'api_keys', 'passkeys']));
  });

  it('has a lifecycle participant for every table with a foreign key to users or a user_id / …_user_id column', () => {
    const uncovered = tablesReferringToUsers().filter((table) => !owners.has(table));
    expect(uncovered.map((table) => `${table}: no lifecycle participant declares it`)).toEqual([]);
  });

  it('declares only tables the schema has', async () => {
    const rows: { table_name: string }[] = await s.db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`);
    const existing = new Set(rows.map((row) => row.table_name));
    const stale = [...owners].filter(([table]) => !existing.has(table));
    expect(stale.map(([table, participant]) => `${table}: declared by ${participant.name}, not in the schema`)).toEqual([]);
  });

  it('gives a deletion step to whoever owns a table that deleting the user row does not empty', () => {
    // Only an ON DELETE CASCADE foreign key takes the rows with the user; SET NULL keeps them, and a user column
    // without a foreign key is not even seen.
    const cascaded = (table: string, column: string) =>
      foreignKeys.some((key) => key.table === table && key.on_delete === 'c' && key.columns.includes(column));
    const kept = new Set([
      ...foreignKeys.filter((key) => key.on_delete !== 'c').map((key) => key.table),
      ...userColumns.filter(({ table, column }) => !cascaded(table, column)).map((column) => column.table),
    ]);
    const unerased = [...kept].filter((table) => owners.has(table) && !owners.get(table)!.erase).sort();
    expect(unerased.map((table) => `${table}: rows outlive the user, but ${owners.get(table)!.name} has no deletion step`)).toEqual([]);
  });
});
