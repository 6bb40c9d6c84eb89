/**
 * The DataSource the TypeORM CLI uses (`npm run migration:generate -- src/db/migrations/Name`,
 * `npm run migration:run`). It reads the same environment as the service.
 */
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

const config = loadConfig();
export default createDataSource(config.database);
