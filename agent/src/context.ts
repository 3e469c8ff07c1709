/** What the methods work with: the agent's parts, wired together in agent.ts. */
import type { Logger } from 'pino';
import type { AgentConfig } from './config.js';
import type { CloudLink } from './cloud-link.js';
import type { CloudSessions, Emit } from './cloud-sessions.js';
import type { EmergencyAccess } from './emergency.js';
import type { Journal } from './journal.js';
import type { Operations } from './operations.js';
import type { Signing } from './signing.js';
import type { AgentState } from './state.js';
import type { TrustStore } from './trust-store.js';

export const AGENT_VERSION = '0.1.0';
/** The API version: the SDK and the native library refuse a different major. */
export const API_VERSION = '1.0';

export interface RecentRequest {
  at: string;
  method: string;
  client: string;
  surface: 'http' | 'ws';
  ok: boolean;
  code?: string;
  ms: number;
}

export interface AgentContext {
  config: AgentConfig;
  log: Logger;
  cloud: CloudLink;
  state: AgentState;
  trust: TrustStore;
  ops: Operations;
  sessions: CloudSessions;
  journal: Journal;
  signing: Signing;
  /** issue 7: emergency certificates held by this agent (emergency.ts) */
  emergency: EmergencyAccess;
  /** to every WebSocket connection */
  broadcast: Emit;
  recent: RecentRequest[];
  startedAt: string;
}
