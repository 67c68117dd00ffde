import type { Pool, QueryResultRow } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** json_build_object takes at most 100 arguments: 50 keys and their values. */
const JSON_OBJECT_MAX_KEYS = 50;

/**
 * `json_build_object('key', expression, …)` of the given keys and SQL expressions, in their order. The keys are the
 * caller's own names (never input). A statement that selects one such object is read by name: pg describes and
 * parses one field per execution instead of one per column, and JSON.parse gives numbers, booleans, strings, null
 * and jsonb values their types.
 */
export function jsonObject(fields: Readonly<Record<string, string>>): string {
  const entries = Object.entries(fields);
  const odd = entries.find(([key]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
  if (odd) throw new Error(`json_build_object key ${JSON.stringify(odd[0])} is not a plain name`);
  if (entries.length > JSON_OBJECT_MAX_KEYS) throw new Error(`json_build_object takes at most ${JSON_OBJECT_MAX_KEYS} keys, not ${entries.length}`);
  return `json_build_object(${entries.map(([key, expression]) => `'${key}', ${expression}`).join(', ')})`;
}

/**
 * A named prepared statement on TypeORM's own pg pool: PostgreSQL parses and plans it once per connection, and
 * no query builder runs per call. Same pool, so the same limits (size, statement timeout) apply.
 */
export class PreparedQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    private readonly text: string,
  ) {}

  /**
   * Errors come out as from TypeORM's query runner: a refused connection as it is, a failed query as QueryFailedError.
   * Given a transaction's `manager`, the statement runs on the transaction's connection instead (unnamed, through
   * TypeORM, so it commits or rolls back with the rest).
   */
  rows(values: unknown[], manager?: EntityManager): Promise<QueryResultRow[]> {
    if (manager) return manager.query(this.text, values);
    return this.run(values, 'object') as Promise<QueryResultRow[]>;
  }

  /**
   * The first column of the first row, or undefined when there is none: for a statement that selects one JSON value
   * (see jsonObject), which pg parses into its object once. No keyed row object is built around it.
   */
  async value<T>(values: unknown[]): Promise<T | undefined> {
    const rows = (await this.run(values, 'array')) as unknown[][];
    return rows[0]?.[0] as T | undefined;
  }

  private async run(values: unknown[], rowMode: 'object' | 'array'): Promise<unknown[]> {
    // PostgresDriver keeps its pg Pool as `master` (there is no public accessor); it exists once the source is initialised.
    const client = await (this.dataSource.driver as unknown as { master: Pool }).master.connect();
    // The pool listens for errors only on idle clients. A server error arriving while this one is checked out but
    // between statements (a shutdown's FATAL in the same packet as the end of the result) is emitted on the client,
    // and with no listener it would take the process down.
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    // Through TypeORM's logger like every other statement (DB_LOG_QUERIES, query counting in tests).
    this.dataSource.logger.logQuery(this.text, values);
    try {
      const config = { name: this.name, text: this.text, values };
      const result = rowMode === 'array' ? await client.query({ ...config, rowMode }) : await client.query(config);
      return result.rows;
    } catch (error) {
      broken = error as Error;
      this.dataSource.logger.logQueryError(error as Error, this.text, values);
      throw new QueryFailedError(this.text, values, error as Error);
    } finally {
      client.off('error', onError);
      // Releasing with an error discards the connection, which may be the one that broke.
      client.release(broken);
    }
  }
}
