import { EntitySchema } from '@mikro-orm/postgresql';
import { Migration } from '@mikro-orm/migrations';

/** What the node knows of its own registration with the router: one row. */
export interface ExchangeRegistration {
  id: number;
  ncesId: string;
  routerUrl: string;
  keyId: string;
  registeredBy: string;
  registeredAt: Date;
  registeredFrom: string | null;
  applicationName: string;
  exchangeStatus: 'Active' | 'Inactive';
  reason: string | null;
  certificatePem: string | null;
  certificateSerial: string | null;
  routerCertificatePem: string | null;
  checkedAt: Date;
}

export const ExchangeRegistrationEntity = new EntitySchema<ExchangeRegistration>({
  name: 'ExchangeRegistration',
  tableName: 'exchange_registration',
  properties: {
    id: { type: 'integer', primary: true },
    ncesId: { type: 'string' },
    routerUrl: { type: 'string' },
    keyId: { type: 'string' },
    registeredBy: { type: 'string' },
    registeredAt: { type: 'datetime' },
    registeredFrom: { type: 'string', nullable: true },
    applicationName: { type: 'string' },
    exchangeStatus: { type: 'string' },
    reason: { type: 'string', nullable: true },
    certificatePem: { type: 'text', nullable: true },
    certificateSerial: { type: 'string', nullable: true },
    routerCertificatePem: { type: 'text', nullable: true },
    checkedAt: { type: 'datetime' },
  },
});

/** The node's registration with the router. */
export class Migration20261122NodeRegistration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE exchange_registration (
        id integer PRIMARY KEY CHECK (id = 1),
        nces_id varchar(7) NOT NULL,
        router_url text NOT NULL,
        key_id text NOT NULL,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL,
        registered_from text,
        application_name text NOT NULL,
        exchange_status text NOT NULL,
        reason text,
        certificate_pem text,
        certificate_serial text,
        router_certificate_pem text,
        checked_at timestamptz NOT NULL
      )`);
  }
}
