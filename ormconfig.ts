import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';

/** DataSource for the TypeORM CLI (`npm run migration:run`, `npm run migration:generate -- migrations/Name`). */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('Invalid configuration: DATABASE_URL is required for the TypeORM CLI');
}

export default new DataSource(dataSourceOptions({ url }));
