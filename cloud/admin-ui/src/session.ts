/**
 * Who is logged in, and what the console lets them press. The rules mirror the API's role
 * table (docs/operations.md) only to disable buttons the API would answer 403 to; the API
 * still decides.
 */
export type Role = 'sysadmin' | 'ra_officer' | 'dept_approver' | 'auditor';

export interface Me {
  username: string;
  role: Role;
  departments: string[];
  totpEnabled: boolean;
  mustChangePassword: boolean;
}

export const ROLE_LABEL: Record<Role, string> = {
  sysadmin: '系统管理员 (sysadmin)',
  ra_officer: '注册审核员 (RA officer)',
  dept_approver: '科室审批人 (department approver)',
  auditor: '审计员 (auditor)',
};

export const session: { me: Me | null } = { me: null };

export const can = {
  /** staff, import, enrollments: sysadmin and RA officers */
  manageStaff: (me: Me) => me.role === 'sysadmin' || me.role === 'ra_officer',
  /** submit, approve, reject, withdraw requests */
  request: (me: Me) => me.role !== 'auditor',
  audit: (me: Me) => me.role === 'sysadmin' || me.role === 'auditor',
  /** accounts, settings, templates, workflows, audit checkpoint */
  system: (me: Me) => me.role === 'sysadmin',
};

export interface Step {
  role: string;
  departmentScope: boolean;
  name?: string;
}

/** Whether the current step of a pending request is one `me` could decide (the API still refuses self-approval). */
export function stepIsMine(me: Me, step: Step | null, department: string | null): boolean {
  if (!step) return false;
  if (step.role !== me.role && me.role !== 'sysadmin') return false;
  if (step.departmentScope && me.role === 'dept_approver') return department !== null && me.departments.includes(department);
  return true;
}
