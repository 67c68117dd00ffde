import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/platform/database/data-source-options.js';

/** DataSource for the TypeORM CLI (`npm run migration:run`, `npm run migration:generate -- migrations/Name`). */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('Invalid configuration: DATABASE_URL is required for the TypeORM CLI');
}

// The CLI runs on the build (dist/ormconfig.js): every capability's entities, found by their file names.
const entities = [new URL('./src/**/*.entity.js', import.meta.url).pathname];

export default new DataSource(dataSourceOptions({ url, entities }));
