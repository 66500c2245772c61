// What a chat platform adapter gives the application: its HTTP routes, its chat port for outgoing
// messages, its readiness, and its lifecycle. main.ts mounts whatever adapters are configured.
import type { ReadinessCheck, Route } from '../http/server.ts';
import type { ChatPort } from './chat.ts';

export interface PlatformEdge {
  readonly name: 'slack' | 'teams';
  readonly chat: ChatPort;
  readonly routes: Route[];
  readonly readiness: ReadinessCheck[];
  /** Connects (Socket Mode, token check); must not throw for a bad credential, only log it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}
