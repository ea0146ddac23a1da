/**
 * The standard Ed-Fi descriptor values a node starts with
 * (`src/edfi/descriptors/standard-descriptors.json`, generated from the DS 5.2
 * descriptor catalog), stored as ordinary descriptor documents. Loading is
 * idempotent: values already present are left alone.
 */
import { readFileSync } from 'node:fs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { descriptorHash, newDocumentId } from '../edfi/document-identity.js';

type Catalog = Record<string, { namespace: string; values: [string, string, string?][] }>;

let catalog: Catalog | undefined;

function standardCatalog(): Catalog {
  catalog ??= JSON.parse(readFileSync(new URL('../edfi/descriptors/standard-descriptors.json', import.meta.url), 'utf8')) as Catalog;
  return catalog;
}

/** Inserts the standard descriptor values that are missing; returns how many were added. */
export async function loadStandardDescriptors(em: EntityManager): Promise<number> {
  const rows: object[] = [];
  for (const [resource, { namespace, values }] of Object.entries(standardCatalog())) {
    for (const [codeValue, shortDescription, description] of values) {
      const body = description === undefined ? { codeValue, namespace, shortDescription } : { codeValue, description, namespace, shortDescription };
      rows.push({ id: newDocumentId(), resource: `ed-fi/${resource}`, hash: descriptorHash(`${namespace}#${codeValue}`), identity: { codeValue, namespace }, body });
    }
  }
  const [result] = await em.execute<Array<{ added: string }>>(
    `WITH input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(id text, resource text, hash text, identity jsonb, body jsonb)),
     added AS (
       INSERT INTO edfi_document (id, resource, identity_hash, identity, body, change_version)
       SELECT i.id, i.resource, i.hash, i.identity, i.body, nextval('edfi_change_version') FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM edfi_document d WHERE d.resource = i.resource AND d.identity_hash = i.hash)
       ON CONFLICT (resource, identity_hash) DO NOTHING
       RETURNING 1
     )
     SELECT count(*) AS added FROM added`,
    [JSON.stringify(rows)],
  );
  return Number(result!.added);
}
