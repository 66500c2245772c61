// The admin's personal-data verbs: `forget` (erase a contact everywhere, on a data subject's
// request) and `subject-access` (everything held about a person, as JSON). `forget` shows what it
// would erase and does it only with --yes.
import type { CliDeps } from './commands.ts';

export const PRIVACY_USAGE = `  forget --email EMAIL [--yes]                erase a contact (every register holding that email)
  forget "NAME" --learner LEARNER [--yes]     erase a contact from one learner's register
  subject-access EMAIL|"FULL NAME"            print everything held about a person, as JSON`;

const flag = (name: string, args: string[]) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

/** Runs `forget` or `subject-access`; undefined when argv is neither. */
export async function runPrivacyCommand(argv: string[], deps: CliDeps): Promise<number | undefined> {
  const [verb, ...rest] = argv;
  const { out, services } = deps;
  if (verb === 'subject-access') {
    const query = rest.filter((a) => !a.startsWith('--')).join(' ').trim();
    if (!query) {
      out('usage: npm run cli -- subject-access EMAIL|"FULL NAME"');
      return 2;
    }
    const r = await services.subjectAccess({ query });
    out(JSON.stringify(r, null, 2));
    return 0;
  }
  if (verb !== 'forget') return undefined;

  const email = flag('email', rest);
  const learner = flag('learner', rest);
  const name = rest[0] && !rest[0].startsWith('--') ? rest[0] : undefined;
  const yes = rest.includes('--yes');
  if (!email && !(name && learner)) {
    out(`usage:\n${PRIVACY_USAGE.split('\n').slice(0, 2).join('\n')}`);
    return 2;
  }
  const learnerId = learner ? (await services.findLearner(learner)).person.id : undefined;
  const contacts = await services.findContactsForErasure({ email, name, learnerId });
  if (contacts.length === 0) {
    out(email ? `No contact with the email ${email} is in any register.` : `${learner} has no contact called "${name}".`);
    out('To see whether the person appears anywhere else (evidence text, the roster), run subject-access.');
    return 1;
  }
  for (const c of contacts) out(`${yes ? 'erasing' : 'would erase'}: contact ${c.id} in the register of ${c.owner.name}`);
  if (!yes) {
    out('Nothing was changed. Run the same command with --yes to erase (this cannot be undone).');
    return 0;
  }
  for (const c of contacts) {
    const r = await services.eraseContact({ contactId: c.id, requestedBy: { kind: 'admin' } });
    out(`erased ${c.id}: ${r.entries} entries redacted, ${r.records} notes/decisions/statements, ${r.reviews} reviews removed, ${r.stored} stored messages scrubbed, ${r.messages} posted messages queued for update, ${r.exportFiles} export files removed`);
  }
  return 0;
}
