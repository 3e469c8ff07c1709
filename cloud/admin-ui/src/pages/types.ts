/** The API's answers the console reads (the fields it uses). */
import type { Step } from '../session.js';

export interface RequestView {
  id: string;
  operation: string;
  operationName: string;
  status: string;
  applicant: string;
  department: string | null;
  subject: string;
  payload: Record<string, unknown>;
  step: number;
  steps: number;
  nextStep: Step | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}
export interface Activation {
  enrollmentId: string;
  activationCode: string;
  expiresAt: string;
  qr: string;
}
export interface Paged<R> {
  total: number;
  page: number;
  pageSize: number;
  rows: R[];
}
export interface CertificateRow {
  serial: string | null;
  staffId: string;
  employeeNo: string;
  name: string;
  department: string;
  algorithm: string;
  templateId: string | null;
  state: string;
  notAfter: string | null;
  daysLeft: number | null;
}
export interface StaffRow {
  staffId: string;
  employeeNo: string;
  name: string;
  department: string;
  title: string | null;
  state: string;
  serial: string | null;
  algorithm: string | null;
  notAfter: string | null;
  certificates: number;
}
