import type { DataSource } from 'typeorm';

export interface UserColumn {
  table: string;
  column: string;
}

/**
 * Every column that refers to a user, read from the schema rather than listed by hand: the foreign keys to
 * `users`, and any other column named `user_id` or `*_user_id` (a reference someone forgot to constrain).
 */
export async function userColumns(db: DataSource): Promise<UserColumn[]> {
  return db.query(`
    SELECT c.conrelid::regclass::text AS "table", a.attname AS "column"
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
     WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
    UNION
    SELECT table_name, column_name
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND (column_name = 'user_id' OR column_name LIKE '%\\_user\\_id')
    ORDER BY 1, 2`);
}

/** The rows that still refer to `userId`, per `table.column` (empty when none does). */
export async function rowsReferring(db: DataSource, userId: number): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const { table, column } of await userColumns(db)) {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM ${table} WHERE ${column} = $1`, [userId]);
    if (count > 0) found[`${table}.${column}`] = count;
  }
  return found;
}

/**
 * The rows of any table whose text contains one of `needles` (case-insensitive): a username, an address, an IP or a
 * user agent of the deleted account must not survive anywhere, whatever the column.
 */
export async function rowsMentioning(db: DataSource, needles: string[]): Promise<Record<string, number>> {
  const tables: { table: string }[] = await db.query(
    `SELECT table_name AS "table" FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const found: Record<string, number> = {};
  for (const { table } of tables) {
    for (const needle of needles) {
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM "${table}" t WHERE strpos(lower(t::text), lower($1)) > 0`, [needle]);
      if (count > 0) found[`${table}: ${needle}`] = count;
    }
  }
  return found;
}
