// One dispatcher for what a person types, whichever platform it came from: `/evidence …` in Slack,
// a message to the bot in Teams. It returns what to show — a message, a form to open, a file —
// and the adapter renders it. Adding a subcommand means adding a case here.
import { HELP_TEXT, parseCommand, type ParsedCommand } from '../../domain/command.ts';
import { invalidInput } from '../../lib/errors.ts';
import { progressMessage } from '../../messages/progress-view.ts';
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import type { CommandInput } from '../kernel/requests.ts';
import { browseCriteria } from '../evidence/browse-criteria.ts';
import { identifyLearner } from '../kernel/identify-person.ts';
import { getProgress } from '../evidence/get-progress.ts';
import { entryListMessage, listEntries } from '../evidence/list-entries.ts';
import { renderPortfolio } from '../evidence/export-portfolio.ts';
import { parseSettingsArgs } from '../../domain/settings-args.ts';
import { getSettings, settingsPrefill } from '../schedules/get-settings.ts';
import { snoozeCheckins } from '../schedules/snooze-checkins.ts';
import { updateSettings } from '../schedules/update-settings.ts';
import { handleContactCommand, handleLogCommand } from '../contacts-privacy/contact-commands.ts';

/** Forms the adapters know how to open (a Slack modal, a Teams card with inputs). */
export type FormName = 'log' | 'settings' | 'contact' | 'review' | 'forget';

export type CommandResult =
  | { kind: 'message'; message: ChatMessage }
  | { kind: 'form'; form: FormName; prefill?: Record<string, unknown> }
  | { kind: 'file'; fileName: string; content: string; title: string; message: ChatMessage };

export type { CommandInput };

const text = (t: string): CommandResult => ({ kind: 'message', message: { fallback: t, blocks: [{ type: 'text', text: t }] } });

export async function handleCommand(ctx: ServiceContext, input: CommandInput): Promise<CommandResult> {
  const cmd: ParsedCommand = parseCommand(input.text, { allowPrefix: input.allowPrefix });
  if (cmd.kind === 'form') {
    await identifyLearner(ctx, input.actor); // refuse early, before a form is opened for nothing
    return { kind: 'form', form: 'log' };
  }
  if (cmd.kind === 'unknown') {
    throw invalidInput(`I don't know \`${cmd.word}\`. Try \`log\`, \`list\`, \`progress\`, \`criteria\` or \`help\`.`);
  }
  switch (cmd.sub) {
    case 'help':
      return { kind: 'message', message: { fallback: 'How to use the evidence bot', blocks: [{ type: 'text', text: HELP_TEXT }] } };
    case 'log': {
      if (!cmd.args) return { kind: 'form', form: 'log' };
      // Through the personal-data check (minimise-log.ts): it may ask before storing anything.
      return handleLogCommand(ctx, cmd.args, input);
    }
    case 'contacts':
    case 'contact':
    case 'review':
    case 'forget':
      return handleContactCommand(ctx, cmd.sub, cmd.args, input);
    case 'list': {
      const r = await listEntries(ctx, { actor: input.actor, filter: cmd.args || undefined });
      return { kind: 'message', message: entryListMessage(r) };
    }
    case 'progress': {
      const r = await getProgress(ctx, { actor: input.actor });
      return { kind: 'message', message: progressMessage(r.progress, r.learner.name) };
    }
    case 'criteria':
      return { kind: 'message', message: await browseCriteria(ctx, { actor: input.actor, unit: cmd.args || undefined }) };
    case 'export': {
      const format = (cmd.args || 'html').toLowerCase();
      if (format !== 'html' && format !== 'csv') throw invalidInput('Export as `html` (a printable page, the default) or `csv`: `/evidence export csv`.');
      const { person, enrolment } = await identifyLearner(ctx, input.actor);
      const r = await renderPortfolio(ctx, person, enrolment, format);
      return {
        kind: 'file', fileName: r.fileName, content: r.content, title: 'Your evidence portfolio',
        message: { fallback: 'Your portfolio', blocks: [{ type: 'text', text: `Your portfolio: all ${r.criteria} criteria of your units, with the evidence mapped to each.` }] },
      };
    }
    case 'settings': {
      // `settings` opens the form; `settings cadence:daily time:08:30 …` changes them directly.
      if (cmd.args) return { kind: 'message', message: (await updateSettings(ctx, { actor: input.actor, changes: parseSettingsArgs(cmd.args) })).message };
      return { kind: 'form', form: 'settings', prefill: settingsPrefill(await getSettings(ctx, { actor: input.actor })) };
    }
    case 'snooze':
      return { kind: 'message', message: (await snoozeCheckins(ctx, { actor: input.actor, duration: cmd.args })).message };
    default:
      return text(`\`${cmd.sub}\` is coming soon. Type \`help\` for what works today.`);
  }
}
