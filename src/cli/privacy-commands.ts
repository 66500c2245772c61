// The admin's personal-data verbs: `forget` (erase a contact everywhere, on a data subject's
// request) and `subject-access` (everything held about a person, as JSON). `forget` shows what it
// would erase and does it only with --yes.
import { eraseContacts } from '../services/contacts-privacy/erase-contact.ts';
import type { CliDeps } from './commands.ts';

export const PRIVACY_USAGE = `  forget --email EMAIL [--yes]                erase a contact (every register holding that email)
  forget "NAME" --learner LEARNER [--yes]     erase a contact from one learner's register
  subject-access EMAIL|"FULL NAME"            print everything held about a person, as JSON`;

const flag = (name: string, args: string[]) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

/** About this much text per output call: a long answer goes out in pieces, each awaited (backpressure). */
const PIECE = 64 * 1024;

/** Prints `text` (no trailing newline) as whole lines in pieces of about PIECE characters. */
async function printLong(out: CliDeps['out'], text: string): Promise<void> {
  let from = 0;
  while (from < text.length) {
    let to = text.length;
    if (to - from > PIECE) {
      const nl = text.indexOf('\n', from + PIECE);
      to = nl < 0 ? text.length : nl;
    }
    await out(text.slice(from, to));
    from = to + 1; // past the newline that `out` puts back
  }
}

/** Runs `forget` or `subject-access`; undefined when argv is neither. */
export async function runPrivacyCommand(argv: string[], deps: CliDeps): Promise<number | undefined> {
  const [verb, ...rest] = argv;
  const { out, services } = deps;
  if (verb === 'subject-access') {
    const query = rest.filter((a) => !a.startsWith('--')).join(' ').trim();
    if (!query) {
      await out('usage: npm run cli -- subject-access EMAIL|"FULL NAME"');
      return 2;
    }
    const r = await services.subjectAccess({ query });
    await printLong(out, JSON.stringify(r, null, 2));
    return 0;
  }
  if (verb !== 'forget') return undefined;

  const email = flag('email', rest);
  const learner = flag('learner', rest);
  const name = rest[0] && !rest[0].startsWith('--') ? rest[0] : undefined;
  const yes = rest.includes('--yes');
  if (!email && !(name && learner)) {
    await out(`usage:\n${PRIVACY_USAGE.split('\n').slice(0, 2).join('\n')}`);
    return 2;
  }
  const learnerId = learner ? (await services.findLearner(learner)).person.id : undefined;
  const contacts = await services.findContactsForErasure({ email, name, learnerId });
  if (contacts.length === 0) {
    await out(email ? `No contact with the email ${email} is in any register.` : `${learner} has no contact called "${name}".`);
    await out('To see whether the person appears anywhere else (evidence text, the roster), run subject-access.');
    return 1;
  }
  for (const c of contacts) await out(`${yes ? 'erasing' : 'would erase'}: contact ${c.id} in the register of ${c.owner.name}`);
  if (contacts.length > 1) await out(`Each is erased with the names, emails and phones of all ${contacts.length}, wherever those registers' learners mention them.`);
  if (!yes) {
    await out('Nothing was changed. Run the same command with --yes to erase (this cannot be undone).');
    return 0;
  }
  const done = await eraseContacts(deps.ctx, { contactIds: contacts.map((c) => c.id), requestedBy: { kind: 'admin' } });
  for (const { contactId, report: r } of done) {
    await out(`erased ${contactId}: ${r.entries} entries redacted, ${r.records} notes/decisions/statements, ${r.reviews} reviews removed, ${r.stored} stored messages scrubbed, ${r.messages} posted messages queued for update, ${r.exportFiles} export files removed`);
  }
  if (done.some((d) => d.report.purged === false)) {
    await out('warning: old row versions could not be purged (see the log); the database files may still hold the erased data until the next erasure.');
    return 1;
  }
  return 0;
}
