// After an erasure on the embedded database, nothing readable is left in DATA_DIR: not in the
// table files (old row versions), not in the write-ahead log (the segment in use, older ones, and
// recycled ones waiting for reuse). The files are read as bytes after the database is closed.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../jobs/registry.ts';
import { runCliCommand } from '../../src/cli/commands.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { addContact } from '../../src/services/contacts-privacy/add-contact.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { createServices } from '../../src/services/index.ts';
import type { ServiceContext } from '../../src/services/kernel/context.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { loadRoster, PEOPLE, quietLogger, TestClock } from '../helpers/context.ts';
import { migratedDataDir } from '../helpers/data-dir.ts';

const NAME = 'Ottoline Vexworth';
const EMAIL = 'o.vexworth@example.org';
const PHONE = '07700 900789';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/** file → the needles found in its bytes. */
function grep(dir: string, needles: string[]): Record<string, string[]> {
  const hits: Record<string, string[]> = {};
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    const found = needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
    if (found.length) hits[file.slice(dir.length + 1)] = found;
  }
  return hits;
}

describe('forget on the embedded database, on disk', () => {
  const dir = migratedDataDir('evidence-erasure-disk-');
  let db: Database | undefined;
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the name, email, phone and the feedback naming them in no file under DATA_DIR', async () => {
    db = await openDatabase({ dataDir: dir });
    const ctx: ServiceContext = { db: db.prisma, clock: new TestClock(), log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox: () => {}, exportDir: join(dir, 'exports') };
    await loadRoster(ctx);
    await addContact(ctx, { actor: PEOPLE.learner, text: `"${NAME}" kind:candidate email:${EMAIL} phone:"${PHONE}" consent:yes` });
    const stored = await db.prisma.contact.findFirstOrThrow({ where: { name: NAME } });
    const r = await recordEvidence(ctx, {
      actor: PEOPLE.learner, idempotencyKey: 'disk-1', source: 'slack',
      draft: { summary: `Called ${NAME} on ${PHONE} and wrote to ${EMAIL}`, contactName: NAME, tags: [{ unit: 'U7', number: '2.1', raw: '#U7:2.1' }], keepPersonalData: true },
    });
    // Written, rewritten (the decision bumps the entry), so there are several old versions of each row.
    await decideEntry(ctx, { actor: PEOPLE.assessor, entryId: r.entry.id, version: 1, outcome: 'changes', feedback: `Get ${NAME} to confirm by email`, requestId: 'disk-d1' });
    const needles = [NAME, ...NAME.split(' '), EMAIL, stored.phone!, PHONE, PHONE.replace(/\D/g, ''), `Get ${NAME}`];
    await db.prisma.$executeRawUnsafe('CHECKPOINT');
    expect(Object.keys(grep(dir, needles)).length, 'the data is on disk before the erasure').toBeGreaterThan(0);

    const lines: string[] = [];
    const code = await runCliCommand(['forget', '--email', EMAIL, '--yes'], {
      db, ctx, services: createServices(ctx), ports: {}, jobs: JOBS, out: (l) => void lines.push(l), exportDir: join(dir, 'exports'),
    });
    expect(code, lines.join('\n')).toBe(0);
    expect(await db.prisma.contact.count()).toBe(0);
    await db.close();
    db = undefined;

    expect(grep(dir, needles)).toEqual({});
  }, 60_000);
});
