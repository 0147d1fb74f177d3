import type { Clock } from '../clock';
import type { Department } from '../domain/department';
import type { Language } from '../i18n/create-i18n';
import type { StaffStore } from '../storage/staff-store';

/** Departments change rarely (a script loads them); re-read at most this often. */
const REFRESH_MS = 60_000;

/** Departments by code, read from the database and cached briefly. */
export interface DepartmentDirectory {
  list(): Promise<Department[]>;
  get(code: string): Promise<Department | undefined>;
  /** The department's name in a language, or its code when unknown. */
  name(code: string, lang: Language): Promise<string>;
  codes(): Promise<string>;
}

export function createDepartmentDirectory(store: Pick<StaffStore, 'departments'>, clock: Clock): DepartmentDirectory {
  let cached: Promise<Department[]> | undefined;
  let readAt = 0;
  function list(): Promise<Department[]> {
    const now = clock.now().getTime();
    if (!cached || now - readAt > REFRESH_MS || now < readAt) {
      // Concurrent callers share one read instead of each missing the cache.
      cached = store.departments().catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
      readAt = now;
    }
    return cached;
  }
  return {
    list,
    async get(code) {
      return (await list()).find((d) => d.code === code.toUpperCase());
    },
    async name(code, lang) {
      return (await list()).find((d) => d.code === code)?.name[lang] ?? code;
    },
    async codes() {
      return (await list()).map((d) => d.code).join(', ');
    },
  };
}
