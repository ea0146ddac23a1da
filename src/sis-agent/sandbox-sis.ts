import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventObjects, SisAgent } from './sis-agent.js';
import { buildSisRoster } from './sis-roster.js';

/**
 * The simulated SIS the sandbox runs beside each demo district (issue 5),
 * so a newcomer can watch SIF traffic land in the Ed-Fi API. It registers
 * in the node's `district-sis` zone in pull mode, publishes its roster as
 * SIF_Event Adds the first time only (a marker file in the node's data
 * directory remembers it, so restarts publish nothing again), then keeps
 * polling to answer requests such as `rex node sif sync`. Publishing runs
 * in the background: the sandbox does not wait for it.
 */

/** Students on the simulated SIS's roster (small: the sandbox must start quickly). */
export const SANDBOX_SIS_STUDENTS = 20;

const MARKER = 'sis-agent-published.json';

/** Starts the sandbox's SIS for one node; `close` stops it. */
export function startSandboxSis(nodeUrl: string, district: { ncesId: string; name: string; state: string }, dataDir: string, log: (line: string) => void): { close(): Promise<void> } {
  const marker = join(dataDir, MARKER);
  let agent: SisAgent | undefined;
  const running = (async () => {
    // Let the sandbox finish starting before the roster is generated.
    await new Promise((resolve) => setImmediate(resolve));
    const roster = buildSisRoster({ students: SANDBOX_SIS_STUDENTS, district });
    agent = new SisAgent({ zoneUrl: `${nodeUrl}/zones/district-sis`, mode: 'pull', roster, pollMs: 2000 });
    await agent.connect();
    if (!existsSync(marker)) {
      // Objects without SIF_Events (StudentAcademicRecord) wait for a request (`rex node sif sync`).
      const events = eventObjects(roster.objects);
      const count = await agent.publishAll(events);
      if (count < events.length) return;
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(marker, `${JSON.stringify({ publishedAt: new Date().toISOString(), events: count })}\n`);
      log(`sis-agent   ${district.name}: published ${count} SIF events (${SANDBOX_SIS_STUDENTS} students) to ${nodeUrl}/zones/district-sis`);
    }
    agent.startPolling();
  })().catch((error: unknown) => log(`sis-agent   ${district.name}: ${String(error)}`));
  return {
    async close() {
      await agent?.stop();
      await running;
      await agent?.stop();
    },
  };
}
