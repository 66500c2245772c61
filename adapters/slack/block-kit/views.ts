// Whole Slack surfaces built from core messages: the App Home tab and a small notice modal.
import type { types } from '@slack/bolt';
import type { ChatMessage } from '../../../src/ports/message.ts';
import { plainText } from './escape.ts';
import { fitBlocks, LIMITS, renderBlocks } from './message.ts';
import { MODAL_LIMITS } from './log-modal.ts';

/** The App Home tab (views.publish): up to 100 blocks. */
export function homeView(message: ChatMessage): types.HomeView {
  return { type: 'home', blocks: fitBlocks(renderBlocks(message), LIMITS.surfaceBlocks) };
}

/** A modal that only says something (a refusal, a hint), for when there is no message to reply to. */
export function noticeView(title: string, message: ChatMessage): types.ModalView {
  return {
    type: 'modal',
    title: plainText(title, MODAL_LIMITS.title),
    close: plainText('Close', 24),
    blocks: fitBlocks(renderBlocks(message), LIMITS.surfaceBlocks),
  };
}
