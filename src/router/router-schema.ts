import type { DatabaseSchema } from '../storage/database.js';
import { DistrictEntity, IssuedCertificateEntity } from './district-entity.js';
import { routerMigrations } from './migrations.js';

/** Everything the router keeps in its database. Features add entities and migrations here. */
export const routerSchema: DatabaseSchema = {
  name: 'router',
  entities: [DistrictEntity, IssuedCertificateEntity],
  migrations: [...routerMigrations],
};
