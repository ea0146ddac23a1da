import type { DatabaseSchema } from '../storage/database.js';
import { Migration20261124Zones } from '../zones/zone-migration.js';
import { Migration20261124ZoneQueueSpeed, Migration20261126ZoneQueueHeadQueued, Migration20261127ZoneQueueRoomForUpdates } from '../zones/zone-queue-speed-migration.js';
import { Migration20261124EdfiClients } from '../clients/clients-migration.js';
import { Migration20261124Disclosure } from '../disclosure/disclosure-migration.js';
import { Migration20261124NationalMessages } from '../national/national-migration.js';
import { Migration20261123Outbox } from '../outbox/outbox-migration.js';
import { Migration20261124EdfiRecords } from '../records/records-migration.js';
import { Migration20261124EdfiRecordsIndexes } from '../records/records-indexes-migration.js';
import { Migration20261124EdfiDescriptorReferences } from '../records/descriptor-references-migration.js';
import { Migration20261124EdfiScopedDeletes } from '../records/scoped-deletes-migration.js';
import { Migration20261125EdfiReferenceKeys } from '../records/reference-keys-migration.js';
import {
  Migration20261123RecordsTransfer,
  RecordsTransferEntity,
  TransferEventEntity,
} from '../transfer/transfer-entity.js';
import { Migration20261124TransferWorkflow } from '../transfer/transfer-migration.js';
import { Migration20261124MatchStatementTriggers } from '../transfer/match-trigger-migration.js';
import { Migration20261124SifRefMap } from '../sis-sync/sif-ref-map-migration.js';
import { Migration20261124SifRefMapDocuments } from '../sis-sync/sif-ref-map-documents-migration.js';
import { Migration20261124Users } from '../users/users-migration.js';
import { ExchangeRegistrationEntity, Migration20261122NodeRegistration } from './registration-entity.js';

/**
 * Everything a district node keeps in its database. Each feature adds its
 * entities and migrations here; migrations apply in the order listed, and a
 * migration's class name must never change once released.
 */
export const nodeSchema: DatabaseSchema = {
  name: 'node',
  entities: [ExchangeRegistrationEntity, RecordsTransferEntity, TransferEventEntity],
  migrations: [
    Migration20261122NodeRegistration,
    Migration20261123Outbox,
    Migration20261123RecordsTransfer,
    Migration20261124EdfiClients,
    Migration20261124EdfiRecords,
    Migration20261124Users,
    Migration20261124Disclosure,
    Migration20261124Zones,
    Migration20261124NationalMessages,
    Migration20261124TransferWorkflow,
    Migration20261124SifRefMap,
    Migration20261124ZoneQueueSpeed,
    Migration20261124EdfiRecordsIndexes,
    Migration20261124EdfiDescriptorReferences,
    Migration20261124EdfiScopedDeletes,
    Migration20261124SifRefMapDocuments,
    Migration20261124MatchStatementTriggers,
    Migration20261125EdfiReferenceKeys,
    Migration20261126ZoneQueueHeadQueued,
    Migration20261127ZoneQueueRoomForUpdates,
  ],
};
