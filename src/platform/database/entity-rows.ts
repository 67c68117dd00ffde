import type { Pool, QueryResultRow } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';

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

  /** Errors come out as from TypeORM's query runner: a refused connection as it is, a failed query as QueryFailedError. */
  rows(values: unknown[]): Promise<QueryResultRow[]> {
    return this.run(values, 'object') as Promise<QueryResultRow[]>;
  }

  /** The rows as arrays in select-list order (`rowMode: 'array'`): pg builds no keyed object per row. */
  arrays(values: unknown[]): Promise<unknown[][]> {
    return this.run(values, 'array') as Promise<unknown[][]>;
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
