/**
 * /api/v1/events: the push channel (WebSocket). A client authenticates with its first message,
 * which works from browsers (the phone's H5 app cannot set headers on a WebSocket):
 *   agent:  {"type":"auth","agent":"<credential>"}
 *   phone:  {"type":"auth","device":"<id>","time":"…","nonce":"…","signature":"…"}
 *           (the device signature over GET /api/v1/events with an empty body)
 * and then receives:
 *   phone:  {"type":"session","session":{…what to show…}} when a login or sign session opens for it,
 *           {"type":"session-status","sessionId","status"} when one ends
 *   agent:  {"type":"session-status","sessionId","status"} for its own sessions
 * Unauthenticated sockets are closed after 5 s (4401); malformed messages close with 4400.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Services } from './routes.js';
import type { CosignSessionRecord } from '../store/repositories.js';

const PATH = '/api/v1/events';
const AuthMessage = z.union([
  z.object({ type: z.literal('auth'), agent: z.string().min(16).max(128) }).strict(),
  z.object({ type: z.literal('auth'), device: z.string().uuid(), time: z.string().max(20), nonce: z.string().max(64), signature: z.string().max(256) }).strict(),
]);

export function attachEvents(server: Server, services: Services): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 });
  const agents = new Map<string, Set<WebSocket>>();
  const staff = new Map<string, Set<WebSocket>>();
  const add = (map: Map<string, Set<WebSocket>>, key: string, ws: WebSocket) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(ws);
    ws.once('close', () => set!.delete(ws));
  };
  const send = (set: Set<WebSocket> | undefined, msg: unknown) => {
    const text = JSON.stringify(msg);
    for (const ws of set ?? []) if (ws.readyState === ws.OPEN) ws.send(text);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // a protocol error (e.g. a frame over maxPayload) must close this socket, not crash the server
      ws.on('error', () => ws.terminate());
      const timer = setTimeout(() => ws.close(4401, 'authenticate first'), 5000);
      ws.once('message', (data) => {
        clearTimeout(timer);
        let msg: z.infer<typeof AuthMessage>;
        try {
          msg = AuthMessage.parse(JSON.parse(data.toString()));
        } catch {
          ws.close(4400, 'malformed auth message');
          return;
        }
        try {
          if ('agent' in msg) {
            add(agents, services.sessions.authenticateAgent(msg.agent).id, ws);
          } else {
            const deviceId = services.devices.authenticate('GET', PATH, new Uint8Array(0), { device: msg.device, time: msg.time, nonce: msg.nonce, signature: msg.signature });
            add(staff, services.enrollment.staffOfDevice(deviceId), ws);
          }
        } catch {
          ws.close(4401, 'authentication failed');
          return;
        }
        ws.send(JSON.stringify({ type: 'ready' }));
        ws.on('message', () => ws.close(4400, 'no messages expected after auth'));
      });
    });
  };
  server.on('upgrade', onUpgrade);

  const unsubscribe = services.sessions.onChange((s: CosignSessionRecord) => {
    const status = { type: 'session-status', sessionId: s.id, status: s.status };
    send(agents.get(s.agentId), status);
    if (!s.staffId) return;
    if (s.status === 'PENDING' && s.digests.length > 0) send(staff.get(s.staffId), { type: 'session', session: services.sessions.phoneView(s) });
    else if (s.status !== 'PENDING' && s.status !== 'COSIGNING') send(staff.get(s.staffId), status);
  });

  return () => {
    unsubscribe();
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
