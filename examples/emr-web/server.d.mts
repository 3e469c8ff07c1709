/** Types for server.mjs (a plain Node script, no build step). */
export interface EmrServerOptions {
  /** 0 picks a free port (default 17980) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the agent's port(s) the page tries, in order (default 17990) */
  agentPort?: number | number[];
}
export interface EmrServer {
  /** the page's origin, e.g. http://127.0.0.1:17980 (the agent must allow it) */
  url: string;
  port: number;
  close(): Promise<void>;
}
export function startEmrServer(options?: EmrServerOptions): Promise<EmrServer>;
