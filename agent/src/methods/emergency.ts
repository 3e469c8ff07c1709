/** emergencyLogin: an emergency certificate (应急证书) at this workstation, without a phone. */
import { z } from 'zod';
import type { AgentContext } from '../context.js';
import { defineMethod, type AnyMethod } from '../registry.js';

export function emergencyMethods(a: AgentContext): AnyMethod[] {
  return [
    defineMethod({
      name: 'emergencyLogin',
      summary:
        '应急登录 (emergency login, no phone): the employee number and the one-time emergency password an administrator gave the doctor. The first use on the workstation named in the grant activates it (key generation with the cloud, the emergency certificate ≤ 72 h); later uses (after logout or a restart) unlock it again. Then signData/signMessage/signBatch… with the returned certId co-sign without a phone. The password is never logged',
      params: z.object({ employeeNo: z.string().regex(/^[A-Za-z0-9-]{1,32}$/), password: z.string().min(8).max(64) }).strict(),
      result: z.object({ status: z.literal('OK'), certId: z.string(), name: z.string(), employeeNo: z.string(), validTo: z.string(), activated: z.boolean(), emergency: z.literal(true) }),
      handler: async (p) => {
        const { user, activated } = await a.emergency.login(p.employeeNo, p.password);
        return { status: 'OK' as const, certId: user.certId, name: user.name, employeeNo: user.employeeNo, validTo: user.emergency!.validTo, activated, emergency: true as const };
      },
    }),
  ];
}
