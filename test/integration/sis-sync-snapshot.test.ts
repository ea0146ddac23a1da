import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import type { SifJsonObject } from '../../src/sif/json-mapping.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { applySifObject, type SyncContext } from '../../src/sis-sync/apply-sif.js';
import { localEducationAgencyIdOf } from '../../src/sis-sync/sis-node-agent.js';
import { defaultCodeSets } from '../../src/sis-mapping/code-sets.js';
import { SNAPSHOT_XML } from '../support/sis-academic-samples.js';
import { msgId, SIS_REF } from '../support/sis-samples.js';
import { startSisSyncApp, type SisSyncApp } from '../support/sis-sync-app.js';

/**
 * StudentSnapshot program flags into program associations (issue 5), over
 * the zone endpoint and real PostgreSQL. SIF 2.4 has no StudentSnapshot
 * events: snapshots arrive in SIF_Responses (Adds, a repeated one replacing
 * the object); Change and Delete go through the sync layer directly.
 * The tests follow one story of the snapshots; each starts from its own
 * database and replays the steps before it (the `…Step` functions).
 */

const STUDENT = 'studentUniqueId=708000001';
const FIRST_REF = `${SIS_REF.student}:2025-10-01`;
/** A later snapshot of the same school year: English learner only. */
const LATER_XML = `<StudentSnapshot SnapDate="2026-02-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"><ELL>Yes</ELL></StudentSnapshot>`;
let sis: SisSyncApp;

beforeEach(async () => {
  sis = await startSisSyncApp(['StudentSnapshot']);
});

afterEach(async () => {
  await sis?.close();
});

function syncContext(): SyncContext {
  return { zoneId: 'district-sis', spec: edfiSpec(), codes: defaultCodeSets(), localEducationAgencyId: localEducationAgencyIdOf({ ncesId: '0499901' }), ensured: new Set() };
}

/** A snapshot's JSON form, as the node agent gets it from a SIF_Response. */
function snapshotObject(xml: string): SifJsonObject {
  const response = `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Response><SIF_Header><SIF_MsgId>${msgId()}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>SIS-AGENT</SIF_SourceId><SIF_DestinationId>REX-NODE</SIF_DestinationId></SIF_Header><SIF_RequestMsgId>${'A'.repeat(32)}</SIF_RequestMsgId><SIF_PacketNumber>1</SIF_PacketNumber><SIF_MorePackets>No</SIF_MorePackets><SIF_ObjectData>${xml}</SIF_ObjectData></SIF_Response></SIF_Message>`;
  const decoded = decodeSif(response, 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Response') throw new Error(JSON.stringify(decoded));
  const data = decoded.message.objectData?.['StudentSnapshot'];
  return (Array.isArray(data) ? data[0] : data) as SifJsonObject;
}

async function programs(): Promise<string[]> {
  const associations = await sis.get('studentProgramAssociations', STUDENT);
  return associations.map((a) => String((a['programReference'] as Record<string, unknown>)['programName'])).sort();
}

async function refRows(refId: string): Promise<Array<{ resource: string; edfi_id: string | null }>> {
  return sis.orm.em.fork().execute('SELECT resource, edfi_id FROM sif_ref_map WHERE object_name = ? AND ref_id = ? ORDER BY position', ['StudentSnapshot', refId]);
}

/** Step 1: an initial sync brings two snapshots of one school year. */
async function initialSyncStep(): Promise<void> {
  expect(await sis.initialSync('StudentSnapshot', [SNAPSHOT_XML, LATER_XML])).toMatchObject({ objects: 2, failures: 0, complete: true });
}

/** Step 2: a later sync brings the first snapshot without Title I and English learner. */
async function laterSyncStep(): Promise<void> {
  const changed = SNAPSHOT_XML.replace('<Title1>Yes</Title1>', '<Title1>No</Title1>').replace('<ELL>Yes</ELL>', '<ELL>No</ELL>');
  expect(await sis.initialSync('StudentSnapshot', [changed])).toMatchObject({ objects: 1, failures: 0 });
}

/** Step 3, as partial Changes of the first snapshot: IDEA and no meals, then IDEA unknown, then Title I again. */
const PARTIAL_CHANGES = [
  `<StudentSnapshot SnapDate="2025-10-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"><IDEA>Yes</IDEA><FreeAndReducedStatus>None</FreeAndReducedStatus></StudentSnapshot>`,
  `<StudentSnapshot SnapDate="2025-10-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"><IDEA>Unknown</IDEA></StudentSnapshot>`,
  `<StudentSnapshot SnapDate="2025-10-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"><Title1>Yes</Title1></StudentSnapshot>`,
] as const;

function change(xml: string) {
  return applySifObject(sis.orm, syncContext(), 'StudentSnapshot', 'Change', snapshotObject(xml));
}

describe('StudentSnapshot → programs', () => {
  it('loads snapshots from an initial sync: one association per program, shared by the snapshots of a school year', async () => {
    await initialSyncStep();
    expect(await programs()).toEqual(['English as a Second Language (ESL)', 'Student School Food Service', 'Title I Part A']);
    expect(await sis.get('studentProgramAssociations', `${STUDENT}&beginDate=2025-07-01`)).toHaveLength(3);
    expect((await refRows(FIRST_REF)).map((r) => r.resource)).toEqual(['studentProgramAssociations', 'studentProgramAssociations', 'studentProgramAssociations']);
    const [later] = await refRows(`${SIS_REF.student}:2026-02-01`);
    expect((await refRows(FIRST_REF)).map((r) => r.edfi_id)).toContain(later!.edfi_id);
  });

  it('a later sync of a changed snapshot removes what it no longer says, but not what another snapshot still says', async () => {
    await initialSyncStep();
    await laterSyncStep();
    expect(await programs()).toEqual(['English as a Second Language (ESL)', 'Student School Food Service']);
    expect(await refRows(FIRST_REF)).toHaveLength(1);
    // Shared programs ("ensure" documents) are never deleted through a participation.
    expect(await sis.get('programs', 'limit=10')).toHaveLength(3);
  });

  it('applies a partial Change (special education added, meals dropped) and keeps a snapshot that maps to nothing', async () => {
    await initialSyncStep();
    await laterSyncStep();
    const outcome = await change(PARTIAL_CHANGES[0]);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'applied' });
    expect(await programs()).toEqual(['English as a Second Language (ESL)']);
    expect(await sis.get('studentSpecialEducationProgramAssociations', STUDENT)).toMatchObject([{ beginDate: '2025-07-01', programReference: { programName: 'IDEA' } }]);
    const none = await change(PARTIAL_CHANGES[1]);
    expect(none).toMatchObject({ kind: 'applied', documents: [] });
    expect(await sis.get('studentSpecialEducationProgramAssociations', STUDENT)).toEqual([]);
    // The object is still known (one row without a document) so a later partial Change merges onto it.
    expect(await refRows(FIRST_REF)).toEqual([{ resource: '', edfi_id: null }]);
    const back = await change(PARTIAL_CHANGES[2]);
    expect(back).toMatchObject({ kind: 'applied' });
    expect(await programs()).toEqual(['English as a Second Language (ESL)', 'Title I Part A']);
  });

  it('applies a Delete: its associations go, unless another snapshot still says so', async () => {
    await initialSyncStep();
    await laterSyncStep();
    for (const xml of PARTIAL_CHANGES) expect(await change(xml)).toMatchObject({ kind: 'applied' });
    const outcome = await applySifObject(sis.orm, syncContext(), 'StudentSnapshot', 'Delete', snapshotObject(`<StudentSnapshot SnapDate="2026-02-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"/>`));
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'applied' });
    expect(await programs()).toEqual(['Title I Part A']);
    await applySifObject(sis.orm, syncContext(), 'StudentSnapshot', 'Delete', snapshotObject(`<StudentSnapshot SnapDate="2025-10-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"/>`));
    expect(await programs()).toEqual([]);
    expect(await refRows(FIRST_REF)).toEqual([]);
  });
});
