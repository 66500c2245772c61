// Replies in an entry's thread that count as decisions, and the ones that are just conversation.
import { describe, expect, it } from 'vitest';
import { parseThreadDecision } from '../../src/domain/parse-thread-decision.ts';
import { AppError } from '../../src/lib/errors.ts';

describe('parseThreadDecision', () => {
  it.each([
    ['approve', { outcome: 'approve' }],
    ['Approved', { outcome: 'approve' }],
    ['  APPROVED!  ', { outcome: 'approve' }],
    ['approve: nicely evidenced', { outcome: 'approve', feedback: 'nicely evidenced' }],
    ['changes: say who you spoke to', { outcome: 'changes', feedback: 'say who you spoke to' }],
    ['Changes:\nadd the outcome\nand the date', { outcome: 'changes', feedback: 'add the outcome\nand the date' }],
    ['CHANGES REQUESTED: more detail', { outcome: 'changes', feedback: 'more detail' }],
    ['reject: not recruitment work', { outcome: 'reject', feedback: 'not recruitment work' }],
    ['Rejected - duplicate of last week', { outcome: 'reject', feedback: 'duplicate of last week' }],
    ['*approve*', { outcome: 'approve' }],
  ])('%j is a decision', (text, expected) => {
    expect(parseThreadDecision(text)).toEqual(expected);
  });

  it.each(['thanks, looks good', 'approve this later?', 'I will approve it tomorrow', 'changes to the rota', 'rejection letters sent', '', 'ok'])(
    '%j is conversation',
    (text) => {
      expect(parseThreadDecision(text)).toBeNull();
    },
  );

  it.each(['changes', 'changes:', 'reject', 'reject:   ', 'Rejected.'])('%j needs feedback and says how', (text) => {
    const err = (() => {
      try {
        parseThreadDecision(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).userMessage).toMatch(/after the colon, e\.g\. `(changes|reject): /);
  });
});
