import type { Text } from '../core/messages';
import type { StaffIdentity } from '../domain/roles';
import type { Language } from '../i18n/create-i18n';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { t } from './reply-text';

/**
 * The `role` and `department` parameters of the staff texts ("officer in
 * Food and Supplies"), in `lang`.
 * @example say('staff.joined', await roleWords(departments, identity, 'hi'))
 */
export async function roleWords(
  departments: Pick<DepartmentDirectory, 'name'>,
  identity: Pick<StaffIdentity, 'role' | 'department'>,
  lang: Language,
): Promise<Text['params']> {
  const dept = identity.department ? await departments.name(identity.department, lang) : undefined;
  return {
    role: t(`staff.role.${identity.role}`),
    department: dept ? t('staff.in_department', { department: dept }) : '',
  };
}
