/**
 * The agent's durable state, sealed in agent-state.enc: its cloud credential and the users
 * logged in on this workstation (certificate and user-session token). Several staff can be
 * logged in at once on a shared workstation; a certId (the GM/T 0020 container name) is the
 * certificate's serial number in hex, as OpenSSL prints it.
 */
import { join } from 'node:path';
import { getCertInfo, parseCertificate, SGD_CERT, type ParsedCertificate } from '@medsign/core';
import { SealedFile, type Key } from './sealed-store.js';

export interface StoredUser {
  certId: string;
  name: string;
  employeeNo: string;
  /** base64 DER */
  certificate: string;
  userSessionToken: string;
  loggedInAt: string;
}

interface StateFile {
  agentId?: string;
  credential?: string;
  users: StoredUser[];
}

export interface User extends StoredUser {
  cert: ParsedCertificate;
  /** issue 7: an emergency certificate's user (agent-held share, no phone; emergency.ts), never stored here */
  emergency?: { validTo: string };
}

/** issue 7: the emergency users logged in now (emergency.ts), listed and found beside the phone users */
export interface EmergencyUsers {
  users(): User[];
  user(certId: string): User | undefined;
}

export class AgentState {
  private readonly file: SealedFile<StateFile>;
  private data: StateFile;
  private readonly parsed = new Map<string, ParsedCertificate>();
  /** issue 7: set by agent.ts */
  emergency: EmergencyUsers | undefined;

  constructor(dataDir: string, key: Key) {
    this.file = new SealedFile<StateFile>(join(dataDir, 'agent-state.enc'), key, 'medsign-agent-state');
    this.data = this.file.read() ?? { users: [] };
  }

  get credential(): string | undefined {
    return this.data.credential;
  }
  get agentId(): string | undefined {
    return this.data.agentId;
  }

  setCredential(agentId: string, credential: string): void {
    this.data.agentId = agentId;
    this.data.credential = credential;
    this.file.write(this.data);
  }

  users(): User[] {
    return [...this.data.users.map((u) => this.withCert(u)), ...(this.emergency?.users() ?? [])];
  }

  user(certId: string): User | undefined {
    const u = this.data.users.find((x) => x.certId === certId.toUpperCase());
    return u ? this.withCert(u) : this.emergency?.user(certId);
  }

  private withCert(u: StoredUser): User {
    let cert = this.parsed.get(u.certId);
    if (!cert) {
      cert = parseCertificate(new Uint8Array(Buffer.from(u.certificate, 'base64')));
      this.parsed.set(u.certId, cert);
    }
    return { ...u, cert };
  }

  /** A login succeeded: remember the user (replacing an earlier login of the same person). */
  addUser(certificate: Uint8Array, userSessionToken: string): User {
    const cert = parseCertificate(certificate);
    const employeeNo = cert.subjectText.match(/serialNumber=([^,+]+)/)?.[1] ?? '';
    const name = getCertInfo(cert, SGD_CERT.SUBJECT_CN);
    const user: StoredUser = { certId: cert.serialNumber, name, employeeNo, certificate: Buffer.from(cert.der).toString('base64'), userSessionToken, loggedInAt: new Date().toISOString() };
    this.data.users = [...this.data.users.filter((u) => u.certId !== user.certId && (employeeNo === '' || u.employeeNo !== employeeNo)), user];
    this.file.write(this.data);
    return this.withCert(user);
  }

  removeUser(certId: string): void {
    const before = this.data.users.length;
    this.data.users = this.data.users.filter((u) => u.certId !== certId.toUpperCase());
    if (this.data.users.length !== before) this.file.write(this.data);
  }
}
