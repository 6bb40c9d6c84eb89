/**
 * The DataSource the TypeORM CLI uses (`npm run migration:generate -- src/db/migrations/Name`,
 * `npm run migration:run`). It reads the same environment as the service.
 */
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';
import { createLogger } from './src/logger';

const config = loadConfig();
export default createDataSource(config.database, createLogger(config.log.level));
